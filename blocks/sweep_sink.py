import logging
import time

import numpy as np
from scipy.signal import get_window

from sdrflow.block import COMPLEX64, Block, Port

log = logging.getLogger(__name__)


class SweepSink(Block):
    """rtl_power's engine: hops the source over a range, integrates a power spectrum at each
    hop, crops the band edges and hands on rows of dB per bin.

    Sends ``{"frequency": Hz}`` out of ``ctrl`` (connect it to the source's ``ctrl``) and waits
    for the source's ``rx_freq`` tag at that frequency, then skips ``settle`` seconds before
    integrating. Each finished hop calls ``on_row(time, low, high, step, samples, db)``, where
    ``db`` are the bins from ``low`` to ``high`` Hz in steps of ``step`` (power per bin in dBFS:
    a bin's power, so the bins of a station add up to its power). Ends the stream after
    ``sweeps`` sweeps (None: until stopped).

    Signature: complex64 ->

    Parameters
    ----------
    lower, upper : float
        Range in Hz.
    bin_size : float
        Widest bin wanted, in Hz (the FFT size is the power of two that gives it or finer).
    seconds_per_hop : float
        Integration time at each hop.
    crop : float
        Fraction of each hop's band dropped at its edges (0–0.9), where the dongle's filter rolls off.
    sweeps : int, optional
        Sweeps before the stream ends; None for endless.
    settle : float
        Seconds skipped after each retune.
    on_row : callable
        Receives each hop's row.
    reach : callable, optional
        Raises ValueError for a centre the source cannot tune (``RtlSdrSource.check_frequency``,
        which knows the dongle's tuner once it is open): every hop is checked at start, so a
        range beyond the tuner is refused before the sweep waits on a retune that never comes.

    Example: ``SweepSink(88e6, 108e6, 10e3, 0.5, on_row=print)``
    """

    inputs = [Port("in", COMPLEX64)]
    message_outputs = ("ctrl",)

    def __init__(self, lower: float, upper: float, bin_size: float, seconds_per_hop: float = 1.0,
                 crop: float = 0.2, sweeps: int | None = 1, settle: float = 0.01, on_row=None,
                 reach=None):
        if not 0 < lower < upper:
            raise ValueError(f"SweepSink: need 0 < lower < upper, got {lower!r}, {upper!r}")
        if not bin_size > 0 or not seconds_per_hop > 0:
            raise ValueError("SweepSink: bin_size and seconds_per_hop must be > 0")
        if not 0 <= crop <= 0.9:
            raise ValueError(f"SweepSink: crop must be 0–0.9 (a fraction), got {crop!r}")
        self.lower, self.upper, self.bin_size = float(lower), float(upper), float(bin_size)
        self.seconds_per_hop, self.crop, self.sweeps, self.settle = seconds_per_hop, crop, sweeps, settle
        self.on_row = on_row or (lambda *row: None)
        self.reach = reach
        self.rows = 0

    def plan(self, rate):
        """Hop centres and each hop's window: the range cut into pieces of the usable band."""
        usable = rate * (1 - self.crop)
        count = int(np.ceil((self.upper - self.lower) / usable - 1e-9))
        edges = [self.lower + usable * i for i in range(count)] + [self.upper]
        return [((lo + hi) / 2 if count > 1 else (self.lower + self.upper) / 2, lo, hi)
                for lo, hi in zip(edges, edges[1:])]

    def start(self, rate):
        self.rate = rate
        self.size = int(2 ** np.ceil(np.log2(rate / self.bin_size)))
        self.window = get_window("hann", self.size).astype(np.float32)
        self.norm = 1.0 / (self.size * float(np.sum(self.window ** 2)))
        self.hops = self.plan(rate)
        for centre, _, _ in self.hops if self.reach is not None else ():
            try:
                self.reach(centre)  # the source started first: it knows its tuner
            except ValueError as e:
                raise ValueError(f"{e}; the sweep {self.lower / 1e6:g}–{self.upper / 1e6:g} MHz "
                                 f"needs a hop at {centre / 1e6:g} MHz: narrow the range") from e
        self.hop, self.done_sweeps = 0, 0
        self._retune()

    def _retune(self):
        centre = self.hops[self.hop][0]
        self._waiting, self._skip = centre, int(self.settle * self.rate)
        self._acc = np.zeros(self.size)
        self._frames, self._held = 0, np.zeros(0, np.complex64)
        self._sent = self._node is not None  # before the graph runs, the first call sends it
        if self._sent:
            self.post("ctrl", {"frequency": centre})

    def work(self, x):
        if not self._sent:
            self.post("ctrl", {"frequency": self._waiting})
            self._sent = True
        if self._waiting is not None:
            at = [i for i, k, v in self.input_tags() if k == "rx_freq" and abs(v - self._waiting) < 1]
            if not at:
                return
            x = x[at[-1]:]
            self._waiting = None
        if self._skip:
            take = min(self._skip, len(x))
            self._skip -= take
            x = x[take:]
        need = int(self.seconds_per_hop * self.rate)
        if len(self._held):
            x = np.concatenate([self._held, x])
        frames = min(len(x) // self.size, max(1, need // self.size) - self._frames)
        if frames > 0:
            blocks = x[:frames * self.size].reshape(frames, self.size) * self.window
            spectra = np.fft.fft(blocks, axis=1)
            self._acc += np.sum(spectra.real ** 2 + spectra.imag ** 2, axis=0)
            self._frames += frames
        self._held = x[frames * self.size:][: self.size].copy() if frames >= 0 else self._held
        if self._frames * self.size >= need or self._frames >= max(1, need // self.size):
            self._emit()

    def _emit(self):
        centre, lo, hi = self.hops[self.hop]
        power = np.fft.fftshift(self._acc / self._frames) * self.norm
        freqs = centre + (np.arange(self.size) - self.size // 2) * (self.rate / self.size)
        keep = (freqs >= lo) & (freqs < hi) if self.hop < len(self.hops) - 1 else (freqs >= lo) & (freqs <= hi)
        db = 10 * np.log10(np.maximum(power[keep], 1e-20))
        f = freqs[keep]
        self.on_row(time.time(), float(f[0]), float(f[-1]), self.rate / self.size,
                    self._frames * self.size, db)
        self.rows += 1
        self.hop += 1
        if self.hop == len(self.hops):
            self.hop = 0
            self.done_sweeps += 1
            if self.sweeps is not None and self.done_sweeps >= self.sweeps:
                self.end_of_stream()
                return
        self._retune()
