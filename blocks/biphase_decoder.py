import numpy as np

from sdrflow.block import FLOAT32, FREE, UINT8, Block, Port
from sdrflow.kernels.rds import biphase_bits


class BiphaseDecoder(Block):
    """Biphase (Manchester) chips to bits: a bit is two opposite chips ``a, b``, and is 1 when
    ``a − b > 0`` (both chips' energy goes into the decision: soft chips decide 3 dB better
    than the first chip alone).

    Which chips pair up is found from the stream: of the two ways to pair them, the one whose
    pairs look more like opposite chips over the last ``memory`` pairs is used, and a change
    of the better one (after a slip of the symbol clock) is followed. RDS, for one, sends its
    bits so.

    Signature: float32 (soft chips) -> uint8 (bits), at half the rate

    Parameters
    ----------
    memory : float
        Pairs over which the two pairings are compared (about).

    Example: ``BiphaseDecoder(memory=100)``
    """

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", UINT8)]
    rate_rule = FREE

    def __init__(self, memory: float = 100.0):
        if not memory >= 2:
            raise ValueError(f"BiphaseDecoder: memory must be >= 2 pairs, got {memory!r}")
        self.memory = float(memory)

    def output_rate(self, rate):
        return rate / 2

    def start(self, rate):
        self._state = np.zeros(5)

    def work(self, x):
        out = self.buffer(len(x), np.uint8)  # half as many, and one more at each slip
        n = biphase_bits(x, 1.0 - 1.0 / self.memory, self._state, out)
        return out[:n]
