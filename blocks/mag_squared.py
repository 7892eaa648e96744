import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.arith import mag_squared


class MagSquared(Block):
    """Instantaneous power: ``y[n] = |x[n]|² = re² + im²``.

    Signature: complex64 -> float32

    Example: ``MagSquared()``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", FLOAT32)]

    def work(self, x):
        out = self.buffer(len(x), np.float32)
        mag_squared(x, out)
        return out
