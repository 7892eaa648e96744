import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.convert import c64_to_parts


class ComplexToFloat(Block):
    """Splits complex samples into real and imaginary parts.

    Signature: complex64 -> float32 (real), float32 (imag)

    Example: ``fg.connect((ComplexToFloat(), "imag"), sink)``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("real", FLOAT32), Port("imag", FLOAT32)]

    def work(self, x):
        re, im = self.buffer(len(x), np.float32), self.buffer(len(x), np.float32)
        c64_to_parts(x, re, im)
        return re, im
