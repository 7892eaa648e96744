import numpy as np

from sdrflow.block import UINT8, Block, Port
from sdrflow.kernels.bits import differential_decode


class DifferentialDecoder(Block):
    """Differential decoding: ``y[n] = (x[n] − x[n−1]) mod modulus``. It removes the phase
    ambiguity of a Costas loop when the transmitter coded differentially.

    Signature: uint8 -> uint8

    Parameters
    ----------
    modulus : int
        Symbol alphabet size (2 for bits).

    Example: ``DifferentialDecoder()``
    """

    inputs = [Port("in", UINT8)]
    outputs = [Port("out", UINT8)]

    def __init__(self, modulus: int = 2):
        if int(modulus) != modulus or modulus < 2:
            raise ValueError(f"DifferentialDecoder: modulus must be a whole number >= 2, got {modulus!r}")
        self.modulus = int(modulus)

    def start(self, rate):
        self._state = np.zeros(1, np.intp)

    def work(self, x):
        out = self.buffer(len(x), np.uint8)
        differential_decode(x, self.modulus, self._state, out)
        return out
