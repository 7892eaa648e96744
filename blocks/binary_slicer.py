import numpy as np

from sdrflow.block import FLOAT32, UINT8, Block, Port


class BinarySlicer(Block):
    """Hard bit decisions: ``y[n] = 1 if x[n] > threshold else 0``.

    Signature: float32 -> uint8

    Parameters
    ----------
    threshold : float
        Decision level.

    Example: ``BinarySlicer()``
    """

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", UINT8)]

    def __init__(self, threshold: float = 0.0):
        self.threshold = float(threshold)

    def work(self, x):
        out = self.buffer(len(x), np.uint8)
        np.greater(x, self.threshold, out=out, casting="unsafe")
        return out
