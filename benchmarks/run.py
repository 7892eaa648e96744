#!/usr/bin/env python3
"""The standard workloads of ../shared/bench/WORKLOADS.md in sdrflow.

    python benchmarks/run.py [workload ...]        (N, WBFM_CU8, WBFM_OUT from the environment)

One JSON line per workload: {"peer": "sdrflow", "workload": ..., "samples": ..., "seconds": ...,
"msps": ...}. Each flowgraph runs once briefly to warm up (page faults, Numba cache), then is
built again and timed from run() to its end, source and sink included."""
import json
import os
import sys
import time

import numpy as np

from sdrflow import Flowgraph
from sdrflow.bench import lowpass, noise, timed
from sdrflow.bench import stream as bench_stream
from sdrflow.blocks import (FileSink, FileSource, FIRFilter, FloatToInt16, FMDemod,
                            FreqXlatingFilter, Head, MultiplyConst, NullSink, RationalResampler,
                            Spectrum, VectorSource, WBFMReceiver)

N = int(float(os.environ.get("N", "2e7")))


def noise_c(n=8192):
    return noise(np.complex64, n)


def noise_f(n=8192):
    return noise(np.float32, n)


def stream(make_blocks, n, rate=1e6, source=noise_c):
    """random vector source → Head(n) → blocks → null sink (sdrflow.bench.stream)."""
    return bench_stream(make_blocks, n, rate, np.complex64 if source is noise_c else np.float32)


WORKLOADS = {
    "fir64": lambda n: stream(lambda: [FIRFilter(lowpass(64, 0.2))], n),
    "decim10": lambda n: stream(lambda: [FIRFilter(lowpass(128, 0.045), decimation=10)], n),
    "quad": lambda n: stream(lambda: [FMDemod(deviation=1e6 / (2 * np.pi))], n),  # gain 1
    "chain10": lambda n: stream(lambda: [MultiplyConst(1.0) for _ in range(10)], n),
    "xlate": lambda n: stream(lambda: [FreqXlatingFilter(100e3, taps=lowpass(128, 0.045),
                                                         decimation=10)], n, rate=2.4e6),
    "resamp": lambda n: stream(lambda: [RationalResampler(2, 5, taps=2 * lowpass(100, 0.1))], n,
                               source=noise_f),
    "fft1024": lambda n: stream(lambda: [Spectrum(1024, "blackmanharris", shift=False)], n),
}


def wbfm(path, out):
    """cu8 file → WBFM receiver (mono, 75 µs) → int16 → raw file."""
    fg = Flowgraph()
    fg.connect(FileSource(path, rate=2.4e6, format="cu8"), WBFMReceiver(), FloatToInt16(16384),
               FileSink(out))
    return fg


def main(names):
    for name in names or list(WORKLOADS) + ["wbfm"]:
        if name == "wbfm":
            path = os.environ.get("WBFM_CU8", "/tmp/wbfm_in.cu8")
            out = os.environ.get("WBFM_OUT", "/tmp/wbfm_sdrflow.s16")
            if not os.path.exists(path):
                sys.stderr.write(f"wbfm: no input {path}; make it with ../shared/bench/make_fm_cu8.py\n")
                continue
            timed(wbfm(path, out))
            n, seconds = os.path.getsize(path) // 2, timed(wbfm(path, out))
        elif name in WORKLOADS:
            timed(WORKLOADS[name](min(N, 1 << 20)))
            n, seconds = N, timed(WORKLOADS[name](N))
        else:
            continue  # workloads this build does not implement yet are left to the peers
        print(json.dumps({"peer": "sdrflow", "workload": name, "samples": n,
                          "seconds": round(seconds, 4), "msps": round(n / seconds / 1e6, 2)}),
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
