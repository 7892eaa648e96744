"""Benchmarking blocks: one code path for ``sdrflow bench`` and ``benchmarks/run.py``.

A benchmark is a flowgraph ``noise source → Head(n) → block → null sinks``, timed from
``run()`` to its end (source and sinks included, as a user sees them), after a short warm-up
run; Msps are millions of *input* samples per second.
"""
from __future__ import annotations

import ast
import importlib.util
import inspect
import os
import statistics
import time

import numpy as np

from .block import ANY, COMPLEX64, StreamType


def lowpass(ntaps: int, cutoff: float) -> np.ndarray:
    """The standard workloads' design: windowed sinc, Hamming, unity gain at DC."""
    n = np.arange(ntaps) - (ntaps - 1) / 2
    h = np.sinc(2 * cutoff * n) * np.hamming(ntaps)
    return (h / h.sum()).astype(np.float32)


def noise(dtype, n: int = 8192) -> np.ndarray:
    rng = np.random.default_rng(1)
    if np.dtype(dtype) == np.complex64:
        return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
    return rng.standard_normal(n).astype(dtype)


def timed(fg) -> float:
    t = time.perf_counter()
    fg.run()
    return time.perf_counter() - t


def stream(make_blocks, n: int, rate: float = 1e6, dtype=np.complex64, chunk: int = 131072):
    """noise → Head(n) → blocks → a NullSink on every output of the last block."""
    from sdrflow import Flowgraph
    from sdrflow.blocks import Head, NullSink, VectorSource

    fg = Flowgraph(chunk=chunk)
    blocks = make_blocks()
    fg.connect(VectorSource(noise(dtype), rate=rate, repeat=True), Head(n), *blocks)
    last = blocks[-1]
    for port in range(len(last.outputs)):
        fg.connect((last, port), NullSink())
    return fg


def measure(make_fg, n: int, repeats: int = 3) -> dict:
    """Warm up once, then time ``repeats`` runs of ``make_fg(n)``: Msps min, median, max."""
    timed(make_fg(min(n, 1 << 18)))
    msps = [n / timed(make_fg(n)) / 1e6 for _ in range(repeats)]
    return {"min": min(msps), "median": statistics.median(msps), "max": max(msps)}


# -- a block named on the command line -----------------------------------------------------------
def load_block(spec: str):
    """``FIRFilter:taps=64,decimation=10`` or ``my_blocks.py:MyBlock:gain=2`` → (class, kwargs).

    Values are Python literals or SI numbers; ``taps=N`` stands for an N-tap low-pass."""
    from .units import si

    parts = spec.split(":")
    if parts[0].endswith(".py"):
        path, name, rest = parts[0], parts[1] if len(parts) > 1 else "", parts[2:]
        module_spec = importlib.util.spec_from_file_location("user_blocks", path)
        if module_spec is None:
            raise ValueError(f"cannot load {path}")
        module = importlib.util.module_from_spec(module_spec)
        try:
            module_spec.loader.exec_module(module)
        except FileNotFoundError:
            raise ValueError(f"no such file: {path}") from None
        cls = getattr(module, name, None)
    else:
        import sdrflow.blocks as catalogue

        name, rest = parts[0], parts[1:]
        cls = getattr(catalogue, name, None) if name in catalogue.__all__ else None
    if cls is None:
        raise ValueError(f"no block {name!r}; `sdrflow blocks` lists them, or give "
                         f"my_blocks.py:MyBlock")
    kwargs = {}
    for item in ":".join(rest).split(",") if rest else []:
        if not item:
            continue
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"parameter {item!r}: write name=value")
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            try:
                parsed = si(value)
            except ValueError:
                parsed = value
        if key == "taps" and isinstance(parsed, int):
            parsed = lowpass(parsed, 0.2)
        kwargs[key.strip()] = parsed
    return cls, kwargs


def input_dtype(block):
    """The item type to feed the block: its first input's, complex64 when it takes several."""
    port = block.inputs[0].type
    if isinstance(port, tuple):
        port = port[0]
    if port == ANY or not isinstance(port, StreamType):
        port = COMPLEX64
    return port.dtype


# -- numpy/scipy baselines: the same work as a plain chunk loop -------------------------------
def baseline(block, dtype, n: int, chunk: int):
    """A numpy/scipy loop doing what ``block`` does, or None where there is none; Msps."""
    from scipy import signal

    kind = type(block).__name__
    x = noise(dtype, chunk)
    if kind in ("FIRFilter", "LowpassFilter") and getattr(block, "taps", None) is not None:
        taps, d = block.taps, getattr(block, "decimation", 1)
        zi = np.zeros(len(taps) - 1, np.result_type(taps, x))
        if d == 1:
            def step():
                nonlocal zi
                _, zi = signal.lfilter(taps, 1, x, zi=zi)
        else:
            def step():
                signal.upfirdn(taps, x, 1, d)
    elif kind in ("RationalResampler",) and getattr(block, "taps", None) is not None:
        def step():
            signal.upfirdn(block.taps, x, block.interpolation, block.decimation)
    elif kind in ("FFT", "Spectrum"):
        size = block.size
        frames = x[:len(x) // size * size].reshape(-1, size)

        def step():
            np.fft.fft(frames, axis=1)
    elif kind == "FMDemod":
        def step():
            np.angle(x[1:] * np.conj(x[:-1]))
    else:
        return None
    loops = max(1, n // chunk)
    step()
    t = time.perf_counter()
    for _ in range(loops):
        step()
    return loops * chunk / (time.perf_counter() - t) / 1e6


# -- GNU Radio: the same block in GNU Radio 3.10, in its own interpreter ----------------------
GNURADIO_PYTHON = "/usr/bin/python3"


def gnuradio_spec(block, dtype, rate: float) -> dict | None:
    """What ``gnuradio_peer.py`` needs to build GNU Radio's equivalent of ``block``, or None
    where GNU Radio has none we time."""
    kind = type(block).__name__
    taps = getattr(block, "taps", None)
    spec = {"dtype": np.dtype(dtype).name, "rate": rate}
    if kind in ("FIRFilter", "LowpassFilter", "HighpassFilter", "BandpassFilter") and taps is not None:
        t = np.asarray(taps)
        spec.update(kind="fir_filter", decimation=int(getattr(block, "decimation", 1)),
                    complex_taps=bool(np.iscomplexobj(t)),
                    taps=[[float(v.real), float(v.imag)] for v in t] if np.iscomplexobj(t) else [float(v) for v in t])
    elif kind == "RationalResampler" and taps is not None:
        spec.update(kind="rational_resampler", interpolation=block.interpolation,
                    decimation=block.decimation, taps=[float(v) for v in taps])
    elif kind == "FreqXlatingFilter" and taps is not None:
        spec.update(kind="freq_xlating", decimation=block.decimation, taps=[float(v) for v in taps],
                    frequency=block.frequency)
    elif kind == "FFT" and spec["dtype"] == "complex64" and block.hop == block.size:
        spec.update(kind="fft", size=block.size, window=[float(v) for v in block.window])
    elif kind == "FMDemod":
        spec.update(kind="fm_demod", gain=rate / (2 * np.pi * block.deviation))
    elif kind == "MultiplyConst":
        c = complex(block.constant)
        spec.update(kind="multiply_const", constant=[c.real, c.imag])
    elif kind == "Rotator":
        spec.update(kind="rotator", phase_inc=2 * np.pi * block.frequency / rate)
    elif kind == "MagSquared":
        spec.update(kind="mag_squared")
    else:
        return None
    return spec


def gnuradio_msps(block, dtype, rate: float, n: int, repeats: int = 3) -> float:
    """Msps of GNU Radio's equivalent of ``block`` (best of ``repeats``), run by
    ``/usr/bin/python3``. ValueError when there is no equivalent or no GNU Radio."""
    import json
    import subprocess

    spec = gnuradio_spec(block, dtype, rate)
    if spec is None:
        raise ValueError(f"--compare gnuradio: no GNU Radio equivalent is timed for "
                         f"{type(block).__name__} (FIR filters, RationalResampler, "
                         f"FreqXlatingFilter, FFT, FMDemod, MultiplyConst, Rotator, MagSquared)")
    spec.update(samples=int(n), repeats=int(repeats))
    peer = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gnuradio_peer.py")
    try:
        p = subprocess.run([GNURADIO_PYTHON, peer, json.dumps(spec)], capture_output=True,
                           text=True, timeout=600)
    except FileNotFoundError:
        raise ValueError(f"--compare gnuradio: {GNURADIO_PYTHON} is missing") from None
    if p.returncode != 0:
        why = "GNU Radio is not installed (apt-get install gnuradio)" \
            if "No module named 'gnuradio'" in p.stderr else p.stderr.strip().splitlines()[-1:]
        raise ValueError(f"--compare gnuradio: {why}")
    return json.loads(p.stdout.strip().splitlines()[-1])["msps"]


def bench_block(spec: str, chunks=(4096, 16384, 65536), seconds: float = 1.0, rate: float = 1e6,
                repeats: int = 3, compare_gnuradio: bool = False) -> dict:
    """Benchmark a block named as ``load_block`` takes it: Msps per chunk size, and the
    numpy/scipy baseline where one exists. ``seconds`` sizes each run (at 100 Msps)."""
    cls, kwargs = load_block(spec)
    try:
        inspect.signature(cls).bind(**kwargs)
    except TypeError as e:
        raise ValueError(f"{cls.__name__}: {e}") from None
    probe = cls(**kwargs)
    if not probe.inputs:
        raise ValueError(f"{cls.__name__} is a source; bench measures blocks with an input")
    dtype = input_dtype(probe)
    n = max(1 << 16, int(seconds * 100e6))
    results = {"block": spec, "input": np.dtype(dtype).name, "samples": n, "chunks": {}}
    for chunk in chunks:
        results["chunks"][chunk] = measure(
            lambda m, chunk=chunk: stream(lambda: [cls(**kwargs)], m, rate, dtype, chunk), n, repeats)
    designed = hasattr(probe, "design") or type(probe).__name__ == "FreqXlatingFilter"
    started = _started(probe, rate, dtype) if designed else probe  # taps exist after start()
    base = baseline(started, dtype, n, max(chunks))
    if base is not None:
        results["numpy_scipy_msps"] = base
    if compare_gnuradio:
        results["gnuradio_msps"] = gnuradio_msps(started, dtype, rate, n, repeats)
    return results


def _started(block, rate, dtype):
    """A designed filter's taps exist after start(rate): start a copy to read them."""
    from .block import StreamType as ST

    block.input_types = [ST(dtype)]
    try:
        block.start(rate)
    except Exception:
        pass
    return block
