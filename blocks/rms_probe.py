import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.levels import mean_square


class RMSProbe(Block):
    """Measures the RMS level of a stream, readable from Python while the graph runs.

    ``level`` is ``sqrt`` of |x|² averaged with time constant ``tau``; ``level_db`` is
    ``20·log10(level)`` (0 dB = RMS 1).

    Signature: complex64 ->, float32 ->

    Parameters
    ----------
    tau : float
        Averaging time constant in seconds.

    Example: ``probe = RMSProbe(0.1); ...; probe.level_db``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]

    def __init__(self, tau: float = 0.1):
        if not tau > 0:
            raise ValueError(f"RMSProbe: tau must be > 0 s, got {tau!r}")
        self.tau = float(tau)
        self._state = np.zeros(1)

    def start(self, rate):
        self._alpha = np.float32(1 - np.exp(-1 / (self.tau * rate)))
        self._state = np.zeros(1)

    def work(self, x):
        mean_square(x, self._alpha, self._state)

    @property
    def level(self) -> float:
        return float(np.sqrt(self._state[0]))

    @property
    def level_db(self) -> float:
        return float(10 * np.log10(max(self._state[0], 1e-30)))
