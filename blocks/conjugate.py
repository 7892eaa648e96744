import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.arith import conjugate


class Conjugate(Block):
    """Complex conjugate: ``y[n] = conj(x[n])`` (mirrors the spectrum).

    Signature: complex64 -> complex64

    Example: ``Conjugate()``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", COMPLEX64)]

    def work(self, x):
        out = self.buffer(len(x), np.complex64)
        conjugate(x, out)
        return out
