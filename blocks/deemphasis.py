import numpy as np

from sdrflow.block import FLOAT32, Block, Port
from sdrflow.kernels.iir import one_pole


class Deemphasis(Block):
    """FM de-emphasis: a one-pole low-pass with time constant ``tau``, unity gain at DC.

    ``H(s) = 1 / (1 + s·tau)`` mapped by the bilinear transform with the corner pre-warped, so
    the −3 dB point stays at ``1 / (2π·tau)`` (2122 Hz for 75 µs, 3183 Hz for 50 µs).

    Signature: float32 -> float32

    Parameters
    ----------
    tau : float
        Time constant in seconds: 75e-6 (Americas, Korea) or 50e-6 (Europe, most of the world).

    Example: ``Deemphasis(50e-6)``
    """

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", FLOAT32)]

    def __init__(self, tau: float = 75e-6):
        if not 0 < tau < 1e-2:
            raise ValueError(f"Deemphasis: tau is in seconds (75e-6 or 50e-6), got {tau!r}")
        self.tau = float(tau)

    def start(self, rate):
        # Pre-warped analog corner, then the bilinear transform of 1/(1 + s/wc).
        wc = 2 * rate * np.tan(1 / (2 * rate * self.tau))
        k = wc / (2 * rate)
        self._b0 = np.float32(k / (1 + k))
        self._a1 = np.float32((k - 1) / (1 + k))
        self._state = np.zeros(2, np.float32)

    def work(self, x):
        # A recursion reads x[i] before writing out[i]: in place it is the same loop.
        out = self.buffer(len(x), np.float32, reuse=x)
        one_pole(x, self._b0, self._b0, self._a1, self._state, out)
        return out
