import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Port
from sdrflow.kernels.iir import moving_sum


class MovingAverage(Block):
    """Mean of the last ``length`` items: ``y[n] = scale · Σ_{k<length} x[n−k]``.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    length : int
        Window length in items.
    scale : float, optional
        Factor on the sum (default 1/length: the mean).

    Example: ``MovingAverage(100)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]

    def __init__(self, length: int, scale: float | None = None):
        if int(length) != length or length < 1:
            raise ValueError(f"MovingAverage: length must be a whole number >= 1, got {length!r}")
        self.length = int(length)
        self.scale = 1.0 / self.length if scale is None else float(scale)

    def start(self, rate):
        wide = np.complex128 if self.input_types[0] == COMPLEX64 else np.float64
        self._ring = np.zeros(self.length, wide)
        self._acc = np.zeros(1, wide)
        self._index = np.zeros(1, np.intp)

    def work(self, x):
        out = self.buffer(len(x), x.dtype)
        moving_sum(x, self._ring, self._index, self._acc, out)
        out *= out.dtype.type(self.scale)
        return out
