"""Helpers for testing blocks: run one block on arrays, and check chunking changes nothing."""
from __future__ import annotations

import ctypes
import threading
import time

import numpy as np

from .block import Block, Port, StreamType
from .flowgraph import Flowgraph


class _ChunkedSource(Block):
    """Plays an array in chunks of the given sizes (cycled), to exercise block state."""

    def __init__(self, data, rate, sizes):
        self.data, self.sample_rate, self.sizes = data, rate, list(sizes)
        vlen = data.shape[1] if data.ndim == 2 else 1
        self.outputs = [Port("out", StreamType(data.dtype, vlen))]

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        self._pos, self._k = 0, 0

    def work(self, n):
        if self._pos >= len(self.data):
            return None
        size = self.sizes[self._k % len(self.sizes)]
        self._k += 1
        part = self.data[self._pos:self._pos + min(n, size)]
        out = self.buffer(len(part), part.dtype, part.shape[1:])
        out[:] = part
        self._pos += len(out)
        return out


def _as_stream(x):
    x = np.ascontiguousarray(x)
    if x.dtype == np.complex128:
        return x.astype(np.complex64)
    if x.dtype == np.float64:
        return x.astype(np.float32)
    return x


def run_block(block: Block, inputs, rate: float = 1.0, chunks=None, threads: int = 1):
    """Run ``block`` on ``inputs`` (one array, or a list for several inputs) at ``rate`` Hz.

    ``chunks`` is a list of chunk sizes the sources cycle through (default: whole input).
    Returns the output array, or a list of arrays for several outputs (None for sinks)."""
    from sdrflow.blocks import VectorSink

    arrays = [inputs] if not isinstance(inputs, (list, tuple)) else list(inputs)
    arrays = [_as_stream(a) for a in arrays]
    longest = max(len(a) for a in arrays)
    fg = Flowgraph(chunk=max(longest, 1), threads=threads)
    sizes = chunks or [max(longest, 1)]
    for i, a in enumerate(arrays):
        fg.connect(_ChunkedSource(a, rate, sizes), (block, i))
    sinks = [VectorSink() for _ in block.outputs]
    for o, sink in enumerate(sinks):
        fg.connect((block, o), sink)
    if not sinks:
        fg.add(block)
    fg.run()
    outs = [s.data for s in sinks]
    if not outs:
        return None
    return outs[0] if len(outs) == 1 else outs


def assert_chunk_invariant(make_block, inputs, rate: float = 1.0, seed: int = 0, rtol=1e-6,
                           atol=1e-6):
    """Whole input, one-item chunks and random chunks must give the same output.

    ``make_block`` builds a fresh block (blocks keep state). One-item chunks run on at most the
    first 2000 items to keep the test quick."""
    arrays = [inputs] if not isinstance(inputs, (list, tuple)) else list(inputs)
    whole = run_block(make_block(), arrays, rate)
    rng = np.random.default_rng(seed)
    sizes = list(rng.integers(1, max(2, len(arrays[0]) // 3), size=64))
    random = run_block(make_block(), arrays, rate, chunks=sizes)
    _same(whole, random, "random chunks", rtol, atol)
    short = [a[:2000] for a in arrays]
    whole_short = run_block(make_block(), short, rate)
    single = run_block(make_block(), short, rate, chunks=[1])
    _same(whole_short, single, "one-item chunks", rtol, atol)
    return whole


def assert_source_reproducible(make_source, items: int, rtol=1e-6, atol=1e-6):
    """A seeded source must give the same stream whatever it is asked for at a time: its first
    ``items`` in one chunk, in chunks of 61 and 4093, and its first 2000 one item at a time.
    Returns the stream."""
    from sdrflow.blocks import Head, VectorSink

    def take(chunk, n):
        fg, sink = Flowgraph(chunk=chunk), VectorSink()
        fg.connect(make_source(), Head(n), sink)
        fg.run()
        return sink.data

    whole = take(max(items, 1), items)
    assert len(whole) == items, f"the source gave {len(whole)} items, not {items}"
    for chunk in (61, 4093):
        _same(whole, take(chunk, items), f"chunks of {chunk}", rtol, atol)
    _same(whole[:2000], take(1, min(items, 2000)), "one-item chunks", rtol, atol)
    return whole


def assert_sink_chunk_invariant(make_sink, inputs, path, rate: float = 1.0, seed: int = 0,
                                read=None) -> bytes:
    """A sink must write the same file whatever it is handed at a time: ``inputs`` whole, in
    random chunks and one item at a time. ``make_sink(path)`` makes a sink that writes ``path``
    (a ``pathlib.Path``); ``read(path)`` gives the bytes compared (default: the file's).
    Returns them."""
    read = read or (lambda p: p.read_bytes())
    rng = np.random.default_rng(seed)
    n = len(_as_stream(inputs))
    written = []
    for i, chunks in enumerate(([n], list(rng.integers(1, 4097, size=16)), [1])):
        here = path.with_name(f"{path.stem}-{i}{path.suffix}")
        run_block(make_sink(here), inputs, rate, chunks=chunks)
        written.append(read(here))
    for what, data in zip(("random chunks", "one-item chunks"), written[1:]):
        assert data == written[0], f"{what}: the sink wrote other bytes than for the whole input"
    return written[0]


def _same(a, b, what, rtol, atol):
    a_list = a if isinstance(a, list) else [a]
    b_list = b if isinstance(b, list) else [b]
    for x, y in zip(a_list, b_list):
        if x is None and y is None:
            continue
        assert len(x) == len(y), f"{what}: {len(y)} items instead of {len(x)}"
        np.testing.assert_allclose(y, x, rtol=rtol, atol=atol, err_msg=f"{what} differ")


class StandInDongle:
    """A simulated RTL-SDR at pyrtlsdr's boundary, for tests and benchmarks without hardware.

    Pass it as ``RtlSdrSource(..., driver=StandInDongle(...))``. Like the real dongle it calls
    the ``read_bytes_async`` callback from the reading thread with USB-sized buffers (a ctypes
    array the callback must copy), at the real sample rate with timing jitter, and it can stall,
    be unplugged, or be busy (held by another program).

    Parameters
    ----------
    data : ndarray of uint8, optional
        cu8 bytes played in a loop; by default a ramp whose sample ``k`` is ``(k % 256,
        k // 256 % 256)``, so ``sample_index`` recovers where every delivered sample came from.
    jitter : float
        Each buffer arrives up to this many seconds late (uniformly), never early.
    unplug_after : int, optional
        Samples after which the device disappears (``read_bytes_async`` fails with -4).
    stall : tuple, optional
        ``(sample, seconds)``: the USB stream pauses once for that long after that sample.
    busy : bool
        Another program holds the device: opening fails with -6 as librtlsdr reports it.
    refuse : tuple, optional
        ``(setting, value)``: setting it fails as pyrtlsdr's setters fail (the device closed,
        then LibUSBError -9), and the reader then hangs on the closed device, delivering
        nothing more, until cancelled (pyrtlsdr issues #55, #156).
    seed : int
        Seed of the jitter.
    tuner : str
        The tuner it reports (``"R820T"``, ``"E4000"``, ``"FC2580"`` …), with that tuner's gain
        table.
    air : callable, optional
        What the antenna hears, instead of ``data``: ``air(rate)`` makes a simulated radio
        (``FMBandSource``, or another ``SimulatedAir``) that the dongle tunes wherever it is
        tuned and remakes at a new sample rate. Each USB buffer is made at the frequency in
        force when it began to fill, so after a retune the rest of the buffer in flight (up
        to one, 7 ms at 2.4 MS/s) is still the old frequency, as on a real dongle.
    """

    serials = ("00000001",)
    #: Gain tables in tenths of a dB as librtlsdr lists them (R820T's for the others).
    GAINS = {"E4000": (-10, 15, 40, 65, 90, 115, 140, 165, 190, 215, 240, 290, 340, 420),
             "FC2580": (0,)}

    def __init__(self, data=None, jitter: float = 0.002, unplug_after: int | None = None,
                 stall: tuple | None = None, busy: bool = False, seed: int = 0,
                 refuse: tuple | None = None, tuner: str = "R820T", air=None):
        from sdrflow.blocks._rtl import TUNERS

        if tuner not in TUNERS.values():
            raise ValueError(f"StandInDongle: tuner is one of {sorted(TUNERS.values())}, "
                             f"got {tuner!r}")
        if data is None:
            k = np.arange(65536)
            data = np.stack([k % 256, k // 256 % 256], axis=1).astype(np.uint8).ravel()
        self.data = np.ascontiguousarray(data, np.uint8)
        self.jitter, self.unplug_after, self.stall, self.busy = jitter, unplug_after, stall, busy
        self.refuse, self.tuner, self.air = refuse, tuner, air
        self._heard = None  # (rate, the radio air(rate) made)
        self.rng = np.random.default_rng(seed)
        self.settings: list = []  # (setting, value, samples sent when it was made)
        self.sent = 0
        self.arrivals: list = []  # (samples sent after a callback, time.monotonic() before it)
        self.opened = self.closed = False
        object.__setattr__(self, "sample_rate", 2.4e6)  # librtlsdr's default, not a setting
        self._cancel = threading.Event()
        self._waiters: list = []  # (samples, Event)

    # -- pyrtlsdr's RtlSdr interface -------------------------------------------------------
    def __call__(self, device_index=0):
        if self.busy:
            raise _LibUSBError(-6, "usb_claim_interface error -6 (LIBUSB_ERROR_BUSY)")
        self.opened, self.device_index = True, device_index
        return self

    def get_device_index_by_serial(self, serial):
        if serial not in self.serials:
            raise _LibUSBError(-3, f"no device with serial {serial}")
        return self.serials.index(serial)

    def __setattr__(self, key, value):
        if (key, value) == self.__dict__.get("refuse"):
            self.close()  # as pyrtlsdr does before raising
            raise _LibUSBError(-9, f"LIBUSB_ERROR_PIPE: could not set {key} to {value}")
        if key in ("sample_rate", "center_freq", "gain", "freq_correction"):
            self.settings.append((key, value, self.__dict__.get("sent", 0)))
        object.__setattr__(self, key, value)

    def get_gains(self):
        from sdrflow.blocks._rtl import R820T_GAINS
        return list(self.GAINS.get(self.tuner, R820T_GAINS))

    def get_tuner_type(self):
        from sdrflow.blocks._rtl import TUNERS
        return next(code for code, name in TUNERS.items() if name == self.tuner)

    def _record(name):
        def setter(self, value):
            self.settings.append((name, value, self.sent))
        return setter

    set_bias_tee = _record("bias_tee")
    set_direct_sampling = _record("direct_sampling")
    set_agc_mode = _record("rtl_agc")
    set_offset_tuning = _record("offset_tuning")
    del _record

    def read_bytes_async(self, callback, num_bytes, context=None):
        if num_bytes % 512:
            raise ValueError("librtlsdr needs a multiple of 512 bytes")
        n = num_bytes // 2
        rate = float(self.sample_rate)
        t0, base = time.monotonic(), 0  # the pace: sample base + k is due at t0 + k / rate
        late = 0.0
        while not self._cancel.is_set():
            if self.closed:  # closed under the running read: it hangs until cancelled
                self._cancel.wait()
                break
            if float(self.sample_rate) != rate:  # set while streaming, as librtlsdr allows
                rate, t0, base, late = float(self.sample_rate), time.monotonic(), self.sent, 0.0
            if self.unplug_after is not None and self.sent >= self.unplug_after:
                raise _LibUSBError(-4, "LIBUSB_ERROR_NO_DEVICE: the device has been disconnected")
            if self.stall and self.sent >= self.stall[0]:
                late += self.stall[1]
                self.stall = None
            take = n if self.unplug_after is None else min(n, self.unplug_after - self.sent)
            due = t0 + late + (self.sent - base + take) / rate + self.rng.uniform(0, self.jitter)
            chunk = self._hear(take, rate) if self.air else self._play(take)
            wait = due - time.monotonic()
            if wait > 0 and self._cancel.wait(wait):
                break
            self.arrivals.append((self.sent + take, time.monotonic()))
            callback((ctypes.c_ubyte * len(chunk)).from_buffer(chunk), context)
            self.sent += take
            for k, event in self._waiters:
                if self.sent >= k:
                    event.set()

    def _play(self, take):
        """The next ``take`` samples of the loop of ``data``."""
        chunk = bytearray(2 * take)
        start, done = 2 * self.sent % len(self.data), 0
        while done < 2 * take:  # the loop, wrapped
            k = min(2 * take - done, len(self.data) - start)
            chunk[done:done + k] = self.data[start:start + k].data
            done, start = done + k, 0
        return chunk

    def _hear(self, take, rate):
        """``take`` samples of the air, as cu8 bytes, at the frequency tuned now."""
        from .kernels.convert import c64_to_int_iq

        if self._heard is None or self._heard[0] != rate:
            radio = self.air(rate)
            radio.start(None)
            self._heard = (rate, radio)
        radio = self._heard[1]
        tuned = float(self.__dict__.get("center_freq", radio.frequency))
        if tuned != radio.frequency:
            radio.set_frequency(tuned)
        cu8 = np.empty(2 * take, np.uint8)
        half, top = np.float32(127.5), np.float32(255)
        c64_to_int_iq(radio.work(take), half, half, np.float32(0), top, cu8)  # as FileSink
        return bytearray(cu8)

    def cancel_read_async(self):
        self._cancel.set()

    def close(self):
        self.closed = True

    # -- for tests -------------------------------------------------------------------------
    def when_sent(self, samples: int) -> threading.Event:
        """An event set once ``samples`` samples have been sent."""
        event = threading.Event()
        self._waiters.append((samples, event))
        return event

    @staticmethod
    def sample_index(iq: np.ndarray) -> np.ndarray:
        """For the default ramp: each delivered sample's index modulo 65536."""
        i = np.rint(iq.real * 127.5 + 127.5).astype(np.int64)
        q = np.rint(iq.imag * 127.5 + 127.5).astype(np.int64)
        return i + 256 * q

    @staticmethod
    def fm_station(rate: float = 2.4e6, seconds: float = 1.0, **station) -> np.ndarray:
        """cu8 bytes of the simulated broadcast station (FMStationSource's parameters), to play
        in a loop."""
        from sdrflow.blocks import FMStationSource, VectorSink

        fg = Flowgraph()
        sink = VectorSink()
        fg.connect(FMStationSource(rate=rate, seconds=seconds, **station), sink)
        fg.run()
        x = sink.data
        iq = np.empty(2 * len(x), np.float32)
        iq[0::2], iq[1::2] = x.real, x.imag
        return np.clip(np.rint(iq * 127.5 + 127.5), 0, 255).astype(np.uint8)


class _LibUSBError(OSError):
    """Like pyrtlsdr's LibUSBError: an OSError whose ``errno`` is librtlsdr's code."""

    def __init__(self, code, message):
        super().__init__(code, message)
