import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.demod import magnitude


class Magnitude(Block):
    """Envelope of a complex stream: ``y[n] = |x[n]|`` (the AM envelope detector).

    Signature: complex64 -> float32

    Example: ``Magnitude()``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", FLOAT32)]

    def work(self, x):
        out = self.buffer(len(x), np.float32)
        magnitude(x, out)
        return out
