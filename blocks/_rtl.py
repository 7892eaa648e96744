"""What the RTL-SDR sources share: limits of the hardware, cu8 output, and the capture ring.

The ring sits between librtlsdr's reader thread (which must never wait: the chip's FIFO holds
about 20 ms) and the graph. When the graph falls behind, the *oldest* samples are dropped and
counted exactly; the next sample delivered starts a gap, which the source tags ``overflow``.
"""
from __future__ import annotations

import collections
import threading
import time

import numpy as np

from sdrflow.kernels.convert import u8_table, u8_to_c64

TUNERS = {0: "unknown", 1: "E4000", 2: "FC0012", 3: "FC0013", 4: "FC2580", 5: "R820T", 6: "R828D"}
#: R820T/R828D gain steps in tenths of a dB, as librtlsdr lists them.
R820T_GAINS = (0, 9, 14, 27, 37, 77, 87, 125, 144, 157, 166, 197, 207, 229, 254, 280, 297, 328,
               338, 364, 372, 386, 402, 421, 434, 439, 445, 480, 496)
DIRECT_SAMPLING = {None: 0, "": 0, "off": 0, 0: 0, "i": 1, 1: 1, "q": 2, 2: 2}


def direct_branch(mode, who: str):
    """Direct sampling as a branch name, ``"i"`` or ``"q"``, or None (the tuner); any other
    value is refused."""
    if mode not in DIRECT_SAMPLING:
        raise ValueError(f"{who}: direct_sampling must be None, 'i' or 'q', got {mode!r}")
    return (None, "i", "q")[DIRECT_SAMPLING[mode]]


#: The RTL2832U's highest sample rate (S/s).
MAX_RATE = 3.2e6


def check_rtl_rate(rate: float, who: str) -> float:
    """RTL2832U rates: 225001–300000 or 900001–3200000 S/s (librtlsdr refuses the others)."""
    if not (225e3 < rate <= 300e3 or 900e3 < rate <= MAX_RATE):
        raise ValueError(f"{who}: an RTL-SDR samples at 225001–300000 or 900001–3200000 S/s, "
                         f"got {rate:g} (2.4e6 is the usual stable maximum)")
    return float(rate)


def check_rtl_tuning(frequency: float, correction_ppm: int, who: str) -> None:
    if not 0 < frequency < 2**32:
        raise ValueError(f"{who}: frequency must be in (0, 4.29e9) Hz, got {frequency!r}")
    if int(correction_ppm) != correction_ppm or abs(correction_ppm) > 1000:
        raise ValueError(f"{who}: correction_ppm must be a whole number within ±1000, "
                         f"got {correction_ppm!r}")


#: What each tuner reaches, in Hz: one or two bands, beyond which librtlsdr would fail or tune
#: nowhere. An R82xx has no PLL values above 1766 MHz (librtlsdr then fails the setter, and
#: pyrtlsdr closes the device under the running stream); the E4000's PLL does not lock in
#: about 1100–1250 MHz (the gap varies by chip: this is the usual one); the FC2580 has no band
#: between 308 and 438 MHz.
TUNER_RANGES = {"R820T": ((24e6, 1766e6),), "R828D": ((24e6, 1766e6),),
                "E4000": ((52e6, 1100e6), (1250e6, 2200e6)),
                "FC0012": ((22e6, 948.6e6),), "FC0013": ((22e6, 1100e6),),
                "FC2580": ((146e6, 308e6), (438e6, 924e6))}


def tuner_reaches(frequency: float, tuner: str) -> str | None:
    """None when ``tuner`` reaches ``frequency``, else its reach as text ("52–1100, 1250–2200
    MHz"); an unknown tuner reaches everything."""
    bands = TUNER_RANGES.get(tuner, ((0, float("inf")),))
    if any(low <= frequency <= high for low, high in bands):
        return None
    return ", ".join(f"{low / 1e6:g}–{high / 1e6:g}" for low, high in bands) + " MHz"


def check_tuner_range(frequency: float, direct_sampling, who: str, tuner: str | None = None):
    """The tuners' reach: R820T/R828D 24–1766 MHz, E4000 52–2200 MHz; HF by direct sampling.
    With ``tuner`` (known once the dongle is open), that tuner's own bands."""
    if DIRECT_SAMPLING.get(direct_sampling, 0):
        if not 0 < frequency <= 28.8e6:
            raise ValueError(f"{who}: direct sampling receives 0–28.8 MHz, got {frequency / 1e6:g} MHz")
        return
    hint = "; below 28.8 MHz use direct sampling (direct_sampling='q')" if frequency < 22e6 else ""
    if not 22e6 <= frequency <= 2200e6:
        raise ValueError(f"{who}: {frequency / 1e6:g} MHz is outside the RTL-SDR tuners' range "
                         f"(R820T/R828D 24–1766 MHz, E4000 52–2200 MHz){hint}")
    reach = tuner_reaches(frequency, tuner)
    if reach:
        raise ValueError(f"{who}: {frequency / 1e6:g} MHz is beyond this dongle's {tuner} tuner "
                         f"({reach}){hint}")


def snap_gain(gain_db: float, table_tenths, who: str) -> float:
    """The tuner's gain step nearest ``gain_db``; a value off the table is refused with the table."""
    table = sorted(t / 10 for t in table_tenths)
    if not table[0] - 1 <= gain_db <= table[-1] + 1:
        raise ValueError(f"{who}: gain {gain_db:g} dB is outside this tuner's table: "
                         f"{', '.join(f'{g:g}' for g in table)} dB (or None for automatic gain)")
    return min(table, key=lambda g: abs(g - gain_db))


def cu8_out(block, raw, lut) -> np.ndarray:
    """cu8 bytes (an even count) as a complex64 output buffer of ``block``."""
    out = block.buffer(len(raw) // 2, np.complex64)
    u8_to_c64(raw, lut, out)
    return out


def conversion_table() -> np.ndarray:
    """cu8's lookup table, with the conversion kernel loaded: a source calls it in ``start``,
    before its stream flows, or its first ``work`` loads the kernel (0.3–0.5 s from Numba's
    cache in a fresh process, longer on a slow host) while the dongle or the server goes on
    sending into buffers: samples lost from the ring, or seconds of stale ones queued up."""
    lut = u8_table()
    u8_to_c64(np.zeros(2, np.uint8), lut, np.empty(1, np.complex64))
    return lut


def host_time(t: float) -> tuple:
    """GNU Radio's ``rx_time``: (whole seconds, fractional seconds)."""
    whole = int(t)
    return (whole, t - whole)


class CaptureRing:
    """A bounded ring of cu8 samples between a reader thread and the graph.

    All counts are in samples since the start: ``received`` (written by the reader),
    ``delivered`` (taken by the graph) and ``dropped`` (the oldest, overwritten because the graph
    fell behind); ``received == delivered + dropped + held`` always holds. Marks (a retune) are
    kept at the received position of their first sample."""

    def __init__(self, capacity: int):
        self.capacity = int(capacity)
        self.buf = np.empty(2 * self.capacity, np.uint8)
        self.head = self.received = 0  # absolute received positions: oldest held, next to write
        self.delivered = self.dropped = 0
        self.gaps = 0
        self._gap = 0  # samples dropped since the last delivered gap
        self.marks: list = []  # (received position, key, value)
        self.closed = False
        self.cond = threading.Condition()
        self._writes = collections.deque(maxlen=4096)  # (received after a write, host time)

    @property
    def held(self) -> int:
        return self.received - self.head

    def write(self, data: np.ndarray, now: float | None = None) -> None:
        """Append cu8 bytes (from the reader thread; never waits for the graph). ``now`` is the
        host time at which the last of them arrived."""
        n = len(data) // 2
        now = time.time() if now is None else now
        with self.cond:
            if self.closed:  # the stream has ended (a failed setter): nothing more is taken
                return
            if n > self.capacity:  # larger than the ring: only the newest part can be kept
                skipped = n - self.capacity
                data, n = data[2 * skipped:], self.capacity
                self.received += skipped
                self.head += skipped
                self._drop(0, skipped)
            over = self.held + n - self.capacity
            if over > 0:
                self.head += over
                self._drop(over, 0)
            i = self.received % self.capacity
            k = min(n, self.capacity - i)
            self.buf[2 * i:2 * (i + k)] = data[:2 * k]
            if k < n:
                self.buf[:2 * (n - k)] = data[2 * k:2 * n]
            self.received += n
            self._writes.append((self.received, now))
            self.cond.notify()

    def _drop(self, held, skipped):
        n = held + skipped
        if n <= 0:
            return
        self.dropped += n
        if not self._gap:
            self.gaps += 1
        self._gap += n

    def time_of(self, pos: int, rate: float) -> float:
        """Host time at which received sample ``pos`` was taken (from its USB buffer's arrival)."""
        with self.cond:
            last = None
            for end, t in reversed(self._writes):  # the earliest write that holds pos
                if end <= pos:
                    break
                last = (end, t)
            if last is None:
                last = self._writes[-1] if self._writes else (self.received, time.time())
        end, t = last
        return t - (end - pos) / rate

    def mark(self, key, value) -> None:
        """Tag the next sample written with ``key=value``."""
        with self.cond:
            self.marks.append((self.received, key, value))

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def read(self, n: int, out: np.ndarray, timeout: float):
        """Take up to ``n`` samples as cu8 bytes into ``out``; returns (count, gap, marks):
        ``gap`` the samples dropped just before the first one (0 if none), ``marks`` as
        (index, key, value). Waits at most ``timeout`` s for data."""
        with self.cond:
            if not self.held and not self.closed:
                self.cond.wait(timeout)
            take = min(n, self.held)
            i = self.head % self.capacity
            k = min(take, self.capacity - i)
            out[:2 * k] = self.buf[2 * i:2 * (i + k)]
            if k < take:
                out[2 * k:2 * take] = self.buf[:2 * (take - k)]
            gap, self._gap = (self._gap, 0) if take else (0, self._gap)
            marks, keep = [], []
            for pos, key, value in self.marks:
                if pos < self.head + take or not take and pos < self.head:
                    marks.append((max(pos - self.head, 0), key, value))
                else:
                    keep.append((pos, key, value))
            if not take:  # nothing to hang them on yet
                keep, marks = [(self.head, k, v) for _, k, v in marks] + keep, []
            self.marks = keep
            self.first = self.head  # received position of out[0]
            self.head += take
            self.delivered += take
            return take, gap, marks
