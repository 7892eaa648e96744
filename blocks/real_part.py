import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port


class RealPart(Block):
    """Real part of a complex stream: ``y[n] = Re x[n]`` (e.g. after a synchronous detector).

    Signature: complex64 -> float32

    Example: ``RealPart()``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", FLOAT32)]

    def work(self, x):
        out = self.buffer(len(x), np.float32)
        out[:] = x.real
        return out
