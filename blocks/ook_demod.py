import collections

import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.ook import ook_slice


class OOKDemod(Block):
    """On-off keying / ASK to pulses, gaps and bits, as rtl_433 sees them.

    The envelope |x|² is smoothed (``smoothing`` s), compared with an adaptive noise floor to
    find pulses (``snr_db`` above it), and the pulse edges are timed where the envelope crosses
    the middle (in dB) between floor and pulse level. The output stream is 1.0 during pulses;
    each burst (ended by ``burst_gap`` s of silence) is tagged ``ook_burst`` at its start and
    posted on ``bursts`` as ``{"start": s, "pulses": [s, …], "gaps": [s, …]}`` — and, with a
    ``bit_rate``, ``"bits"``: each pulse and gap as whole bit periods of 1s and 0s (PCM/NRZ, as
    rtl_433 slices), a pulse or gap shorter than half a bit adding none. ``bursts`` keeps the
    latest 1000 and ``bursts_found`` counts them all.

    Glitches: a pulse or a gap shorter than ``min_pulse`` is not one — a noise spike does not
    start a burst and a dropout does not split a pulse. The 0/1 stream follows the slicer once a
    change has lasted ``min_pulse``, so it lags the edges by that much; the timings in the bursts
    are those of the edges themselves.

    Signature: complex64 -> float32 (0/1), message ``bursts``

    Parameters
    ----------
    snr_db : float
        How far above the noise floor a pulse must rise.
    smoothing : float
        Envelope smoothing time constant in seconds (well below the shortest pulse).
    burst_gap : float
        Silence in seconds that ends a burst.
    bit_rate : float, optional
        Bits per second for PCM/NRZ bit slicing.
    hysteresis_db : float
        Margin around the mid level that an edge must cross.
    min_pulse : float
        Shortest pulse or gap in seconds (40 µs, rtl_433's ten samples at 250 kHz); shorter
        ones are glitches.

    Example: ``OOKDemod(snr_db=10, bit_rate=1000)``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", FLOAT32)]
    message_outputs = ("bursts",)
    KEEP = 1000  # bursts kept in ``bursts``

    def __init__(self, snr_db: float = 10.0, smoothing: float = 8e-6, burst_gap: float = 10e-3,
                 bit_rate: float | None = None, hysteresis_db: float = 1.0,
                 min_pulse: float = 40e-6):
        for name, v in (("smoothing", smoothing), ("burst_gap", burst_gap), ("min_pulse", min_pulse)):
            if not v > 0:
                raise ValueError(f"OOKDemod: {name} must be > 0 s, got {v!r}")
        if bit_rate is not None and not bit_rate > 0:
            raise ValueError(f"OOKDemod: bit_rate must be > 0 bit/s, got {bit_rate!r}")
        if snr_db <= 0 or hysteresis_db < 0:
            raise ValueError("OOKDemod: snr_db must be > 0 and hysteresis_db >= 0")
        self.snr_db, self.smoothing, self.burst_gap = float(snr_db), float(smoothing), float(burst_gap)
        self.bit_rate, self.hysteresis_db = bit_rate, float(hysteresis_db)
        self.min_pulse = float(min_pulse)
        self.bursts = collections.deque(maxlen=self.KEEP)  # the latest, also posted as messages
        self.bursts_found = 0

    def start(self, rate):
        self._rate = rate
        alpha = lambda tau: np.float32(1 - np.exp(-1 / (tau * rate)))
        self._smooth = alpha(self.smoothing)
        self._noise_alpha = alpha(5e-3)
        self._warmup = int(3 * 5e-3 * rate)  # three time constants of the noise floor
        self._high_alpha = alpha(2e-4)
        self._min_items = np.float32(max(1, round(self.min_pulse * rate)))
        self._state = np.zeros(7, np.float32)
        self._state[4] = self._warmup  # items spent learning the noise floor
        self._n = 0           # items seen before this call
        self._edges = []      # edges of the burst in progress (absolute item indices)
        self._last_edge = None
        self.bursts = collections.deque(maxlen=self.KEEP)
        self.bursts_found = 0

    def work(self, x):
        changes = self.scratch(len(x) + 1, np.intp)
        out = self.buffer(len(x), np.float32)
        k = ook_slice(x, self._smooth, self._noise_alpha, self._high_alpha,
                      np.float32(10 ** (self.snr_db / 10)), np.float32(10 ** (self.hysteresis_db / 20)),
                      self._min_items, self._state, changes, out)
        gap_items = self.burst_gap * self._rate
        lag = int(self._min_items) - 1
        for i in changes[:k]:
            edge = self._n + int(i)  # i < 0: the edge was in an earlier call
            if not self._edges and out[i + lag] < 0.5:
                continue  # a burst starts on a rising edge
            if self._last_edge is not None and edge - self._last_edge > gap_items:
                self._finish_burst()  # a rising edge after a long silence starts a new burst
            if not self._edges:
                self.add_tag(int(i) + lag, "ook_burst", "start")
            self._edges.append(edge)
            self._last_edge = edge
        self._n += len(x)
        if self._edges and self._state[3] < 0.5 and self._n - self._last_edge > gap_items:
            self._finish_burst()
        return out

    def input_ended(self):
        """The recording ended: a burst whose last pulse is over counts even without its
        closing silence."""
        if self._edges and self._state[3] < 0.5:
            self._finish_burst()

    def _finish_burst(self):
        edges, rate = self._edges, self._rate
        if not edges or len(edges) % 2:  # nothing, or still high: nothing to time yet
            return
        widths = np.diff(edges) / rate
        burst = {"start": edges[0] / rate, "pulses": list(widths[0::2]), "gaps": list(widths[1::2])}
        if self.bit_rate:
            burst["bits"] = self._bits(widths)
        self.bursts.append(burst)
        self.bursts_found += 1
        self.post("bursts", burst)
        self._edges = []

    def _bits(self, widths) -> list[int]:
        """Each pulse and gap as its width in whole bit periods of 1s or 0s, as rtl_433's PCM
        slicer reads them (so a transmitter a little off its bit rate loses no bit over a long
        burst). A pulse or gap shorter than half a bit is a glitch: the shortest goes first,
        joined with the runs on both sides of it into one."""
        levels = [1 - j % 2 for j in range(len(widths))]
        widths = [float(w) * self.bit_rate for w in widths]  # in bit periods
        while widths:
            j = min(range(len(widths)), key=widths.__getitem__)
            if widths[j] >= 0.5:
                break
            lo, hi = max(j - 1, 0), min(j + 2, len(widths))
            if j == 0 or j == len(widths) - 1:  # at an end: nothing to join, let it go
                del widths[j], levels[j]
                continue
            widths[lo:hi] = [sum(widths[lo:hi])]
            levels[lo:hi] = [levels[lo]]
        if levels and levels[0] == 0:  # a burst starts with a pulse
            del widths[0], levels[0]
        return [level for level, w in zip(levels, widths) for _ in range(round(w))]

    def stop(self):
        self.input_ended()  # on a stop too: kept in ``bursts`` (its readers may be gone)
