import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Port
from sdrflow.kernels.levels import agc


class AGC(Block):
    """Automatic gain control: scales the stream so its envelope sits at ``reference``.

    The level follows ``|x|`` with time constant ``attack`` when the signal grows and
    ``decay`` when it shrinks; ``y = x · min(reference / level, max_gain)``.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    reference : float
        Wanted envelope (linear).
    attack : float
        Time constant in seconds for rising levels (short: no overshoot on a new signal).
    decay : float
        Time constant in seconds for falling levels (long: keeps the gain through fades).
    max_gain : float
        Largest gain, so that noise between signals is not blown up.

    Example: ``AGC(reference=0.5, attack=1e-3, decay=0.1)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]
    message_inputs = ("ctrl",)

    def __init__(self, reference: float = 1.0, attack: float = 1e-3, decay: float = 0.1,
                 max_gain: float = 1e4):
        for name, v in (("reference", reference), ("attack", attack), ("decay", decay),
                        ("max_gain", max_gain)):
            if not v > 0:
                raise ValueError(f"AGC: {name} must be > 0, got {v!r}")
        self.reference, self.attack, self.decay, self.max_gain = float(reference), float(attack), float(decay), float(max_gain)

    def set_reference(self, reference: float) -> None:
        if not reference > 0:
            raise ValueError(f"AGC: reference must be > 0, got {reference!r}")
        self.reference = float(reference)

    def start(self, rate):
        self._a = np.float32(1 - np.exp(-1 / (self.attack * rate)))
        self._d = np.float32(1 - np.exp(-1 / (self.decay * rate)))
        self._level = np.zeros(1, np.float32)

    def work(self, x):
        out = self.buffer(len(x), x.dtype)
        agc(x, np.float32(self.reference), self._a, self._d, np.float32(self.max_gain), self._level, out)
        return out
