import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Port
from sdrflow.kernels.iir import one_pole


class DCBlocker(Block):
    """Removes the DC offset: ``y[n] = x[n] − x[n−1] + a·y[n−1]`` with ``a = exp(−2π·cutoff/rate)``.
    On complex streams it removes an RTL-SDR's centre spike.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    cutoff : float
        −3 dB corner in Hz (well below the signals of interest).

    Example: ``DCBlocker(10.0)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]

    def __init__(self, cutoff: float = 10.0):
        if not cutoff > 0:
            raise ValueError(f"DCBlocker: cutoff must be > 0 Hz, got {cutoff!r}")
        self.cutoff = float(cutoff)

    def start(self, rate):
        if not self.cutoff < rate / 4:
            raise ValueError(f"DCBlocker: cutoff {self.cutoff:g} Hz is too high for {rate:g} Hz")
        self.a = float(np.exp(-2 * np.pi * self.cutoff / rate))
        self._state = np.zeros(2, self.input_types[0].dtype)

    def work(self, x):
        out = self.buffer(len(x), x.dtype)
        one_pole(x, np.float32(1), np.float32(-1), np.float32(-self.a), self._state, out)
        return out
