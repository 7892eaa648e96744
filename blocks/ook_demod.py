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
    ``bit_rate``, ``"bits"``: each pulse and gap read as whole bit periods of 1s and 0s (PCM/NRZ).

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

    Example: ``OOKDemod(snr_db=10, bit_rate=1000)``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", FLOAT32)]
    message_outputs = ("bursts",)

    def __init__(self, snr_db: float = 10.0, smoothing: float = 8e-6, burst_gap: float = 10e-3,
                 bit_rate: float | None = None, hysteresis_db: float = 1.0):
        for name, v in (("smoothing", smoothing), ("burst_gap", burst_gap)):
            if not v > 0:
                raise ValueError(f"OOKDemod: {name} must be > 0 s, got {v!r}")
        if bit_rate is not None and not bit_rate > 0:
            raise ValueError(f"OOKDemod: bit_rate must be > 0 bit/s, got {bit_rate!r}")
        if snr_db <= 0 or hysteresis_db < 0:
            raise ValueError("OOKDemod: snr_db must be > 0 and hysteresis_db >= 0")
        self.snr_db, self.smoothing, self.burst_gap = float(snr_db), float(smoothing), float(burst_gap)
        self.bit_rate, self.hysteresis_db = bit_rate, float(hysteresis_db)
        self.bursts = []  # every burst found, also posted as a message

    def start(self, rate):
        self._rate = rate
        alpha = lambda tau: np.float32(1 - np.exp(-1 / (tau * rate)))
        self._smooth = alpha(self.smoothing)
        self._noise_alpha = alpha(5e-3)
        self._warmup = int(3 * 5e-3 * rate)  # three time constants of the noise floor
        self._high_alpha = alpha(2e-4)
        self._state = np.zeros(5, np.float32)
        self._state[4] = self._warmup  # items spent learning the noise floor
        self._n = 0           # items seen before this call
        self._edges = []      # edges of the burst in progress (absolute item indices)
        self._last_edge = None
        self.bursts = []

    def work(self, x):
        changes = self.scratch(len(x) + 1, np.intp)
        out = self.buffer(len(x), np.float32)
        k = ook_slice(x, self._smooth, self._noise_alpha, self._high_alpha,
                      np.float32(10 ** (self.snr_db / 10)), np.float32(10 ** (self.hysteresis_db / 20)),
                      self._state, changes, out)
        gap_items = self.burst_gap * self._rate
        for i in changes[:k]:
            edge = self._n + int(i)
            if not self._edges and out[i] < 0.5:
                continue  # a burst starts on a rising edge
            if self._last_edge is not None and edge - self._last_edge > gap_items:
                self._finish_burst()  # a rising edge after a long silence starts a new burst
            if not self._edges:
                self.add_tag(int(i), "ook_burst", "start")
            self._edges.append(edge)
            self._last_edge = edge
        self._n += len(x)
        if self._edges and self._state[3] < 0.5 and self._n - self._last_edge > gap_items:
            self._finish_burst()
        return out

    def _finish_burst(self):
        edges, rate = self._edges, self._rate
        if not edges or len(edges) % 2:  # nothing, or still high: nothing to time yet
            return
        widths = np.diff(edges) / rate
        burst = {"start": edges[0] / rate, "pulses": list(widths[0::2]), "gaps": list(widths[1::2])}
        if self.bit_rate:
            bits = []
            for j, w in enumerate(widths):
                bits += [1 - j % 2] * max(1, int(round(w * self.bit_rate)))
            burst["bits"] = bits
        self.bursts.append(burst)
        self.post("bursts", burst)
        self._edges = []

    def stop(self):
        if self._edges and self._state[3] < 0.5:
            self._finish_burst()
