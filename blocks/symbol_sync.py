import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, FREE, SAME, Block, Port
from sdrflow.kernels.sync import loop_gains, symbol_sync

_TEDS = {"gardner": 0, "mm": 1, "mm_complex": 2}


class SymbolSync(Block):
    """Symbol timing recovery: one sample per symbol, taken at the eye opening.

    The strobe position is interpolated (cubic Lagrange) between input samples and steered by
    a timing error detector through a second-order loop, so a clock off by ±100 ppm or a
    non-integer number of samples per symbol is followed. Gardner works before carrier lock; Mueller–Müller needs
    real decisions (``mm``: BPSK, FSK) or complex ones (``mm_complex``: QPSK).

    Signature: complex64 -> complex64, float32 -> float32 (at the symbol rate)

    Parameters
    ----------
    symbol_rate : float
        Nominal symbols per second; the input needs at least 2 samples per symbol.
    bandwidth : float
        Loop bandwidth as a fraction of the symbol rate. Gardner's error is noisy (self-noise on
        band-limited pulses): keep it at 0.002–0.005; Mueller–Müller takes up to about 0.02.
    ted : str
        ``gardner``, ``mm`` or ``mm_complex``.

    Example: ``SymbolSync(symbol_rate=9600, bandwidth=0.004)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]
    rate_rule = FREE
    cost = 30.0

    def __init__(self, symbol_rate: float, bandwidth: float = 0.004, ted: str = "gardner"):
        if not symbol_rate > 0:
            raise ValueError(f"SymbolSync: symbol_rate must be > 0 Hz, got {symbol_rate!r}")
        if not 0 < bandwidth < 0.2:
            raise ValueError(f"SymbolSync: bandwidth is a fraction of the symbol rate in (0, 0.2), got {bandwidth!r}")
        if ted not in _TEDS:
            raise ValueError(f"SymbolSync: ted must be one of {sorted(_TEDS)}, got {ted!r}")
        self.symbol_rate, self.bandwidth, self.ted = float(symbol_rate), float(bandwidth), ted

    def output_rate(self, rate):
        return self.symbol_rate

    def start(self, rate):
        self.sps = rate / self.symbol_rate
        if self.sps < 2:
            raise ValueError(f"SymbolSync: {rate:g} Hz gives {self.sps:.2f} samples per symbol; "
                             f"it needs at least 2")
        alpha, beta = loop_gains(self.bandwidth, 1.0)
        # The error is in symbol periods; the loop moves the strobe in samples.
        self._alpha, self._beta = alpha * self.sps, beta * self.sps
        self._hist_len = int(np.ceil(self.sps)) + 4
        self._hist = np.zeros(self._hist_len, np.complex64)
        self._state = np.array([float(self._hist_len), 0.0, 1.0, 0, 0, 0, 0])

    def work(self, x):
        h = self._hist_len
        joined = self.scratch(h + len(x), np.complex64)
        joined[:h] = self._hist
        joined[h:] = x
        # Strobes come at least every half symbol (the loop limits the period correction).
        symbols = self.scratch(int(2 * len(joined) / self.sps) + 4, np.complex64, key="symbols")
        count = symbol_sync(joined, self.sps, self._alpha, self._beta, _TEDS[self.ted], self._state, symbols)
        self._state[0] -= len(x)  # positions are relative to the joined array
        self._hist[:] = joined[len(x):]
        out = self.buffer(count, x.dtype)
        out[:] = symbols[:count] if x.dtype == np.complex64 else symbols[:count].real
        return out
