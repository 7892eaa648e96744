import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.convert import parts_to_c64


class FloatToComplex(Block):
    """Joins real and imaginary streams: ``y[n] = real[n] + j·imag[n]``.

    Signature: float32 (real), float32 (imag) -> complex64

    Example: ``fg.connect(i_stream, (FloatToComplex(), "real"))``
    """

    inputs = [Port("real", FLOAT32), Port("imag", FLOAT32)]
    outputs = [Port("out", COMPLEX64)]

    def work(self, re, im):
        out = self.buffer(len(re), np.complex64)
        parts_to_c64(re, im, out)
        return out
