import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Port
from sdrflow.kernels.levels import squelch


class PowerSquelch(Block):
    """Mutes the stream while its power is below a threshold, with hysteresis; tags
    ``squelch`` = ``"open"`` / ``"close"`` on the items where it changes.

    Power is ``|x|²`` averaged with time constant ``tau``, in dB (0 dB = power 1). The gate opens
    above ``threshold_db`` and closes below ``threshold_db − hysteresis_db``. While closed the
    output is zeros (the stream keeps its timing).

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    threshold_db : float
        Opening level in dB.
    hysteresis_db : float
        How far below the threshold the power must fall to close.
    tau : float
        Averaging time constant in seconds.

    Example: ``PowerSquelch(-40, hysteresis_db=3)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]
    message_inputs = ("ctrl",)

    def __init__(self, threshold_db: float = -40.0, hysteresis_db: float = 3.0, tau: float = 1e-3):
        if hysteresis_db < 0:
            raise ValueError(f"PowerSquelch: hysteresis_db must be >= 0, got {hysteresis_db!r}")
        if not tau > 0:
            raise ValueError(f"PowerSquelch: tau must be > 0 s, got {tau!r}")
        self.threshold_db, self.hysteresis_db, self.tau = float(threshold_db), float(hysteresis_db), float(tau)
        self.is_open = False

    def set_threshold_db(self, threshold_db: float) -> None:
        self.threshold_db = float(threshold_db)

    def start(self, rate):
        self._alpha = np.float32(1 - np.exp(-1 / (self.tau * rate)))
        self._state = np.zeros(2, np.float32)
        self.is_open = False

    def work(self, x):
        changes = self.scratch(len(x) + 1, np.intp, key="changes")
        power = self.scratch(len(x), np.float32, key="power")
        open_level = np.float32(10 ** (self.threshold_db / 10))
        close_level = np.float32(10 ** ((self.threshold_db - self.hysteresis_db) / 10))
        was_open = self.is_open
        k = squelch(x, self._alpha, open_level, close_level, self._state, changes, power)
        out = self.buffer(len(x), x.dtype)
        out[:] = x
        # Walk the gate through this chunk: zero the closed stretches, tag each change.
        gate, start = was_open, 0
        for i in changes[:k]:
            if not gate:
                out[start:i] = 0
            gate = not gate
            self.add_tag(int(i), "squelch", "open" if gate else "close")
            start = i
        if not gate:
            out[start:] = 0
        self.is_open = gate
        return out
