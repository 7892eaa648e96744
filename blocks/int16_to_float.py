import numpy as np

from sdrflow.block import FLOAT32, INT16, Block, Port
from sdrflow.kernels.convert import i16_to_f32


class Int16ToFloat(Block):
    """16-bit integers to float samples: ``y[n] = x[n] / scale``.

    Signature: int16 -> float32

    Parameters
    ----------
    scale : float
        Divisor (32768 maps full scale to ±1).

    Example: ``Int16ToFloat(32768)``
    """

    inputs = [Port("in", INT16)]
    outputs = [Port("out", FLOAT32)]

    def __init__(self, scale: float = 32768.0):
        if not np.isfinite(scale) or scale == 0:
            raise ValueError(f"Int16ToFloat: scale must be a finite non-zero number, got {scale!r}")
        self.scale = float(scale)

    def work(self, x):
        out = self.buffer(len(x), np.float32)
        i16_to_f32(x, np.float32(self.scale), out)
        return out
