import numpy as np

from sdrflow.block import FLOAT32, INT16, Block, Port
from sdrflow.kernels.convert import pcm16

_NONE = np.zeros(0, np.float32)


class FloatToInt16(Block):
    """Float samples to 16-bit integers: ``y[n] = round(x[n] · scale)``, clipped to ±32767.

    Signature: float32 -> int16

    Parameters
    ----------
    scale : float
        Multiplier before rounding (32767 maps ±1 to full scale).

    Example: ``FloatToInt16(32767)``
    """

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", INT16)]

    def __init__(self, scale: float = 32767.0):
        if not np.isfinite(scale) or scale == 0:
            raise ValueError(f"FloatToInt16: scale must be a finite non-zero number, got {scale!r}")
        self.scale = float(scale)

    def work(self, x):
        out = self.buffer(len(x), np.int16)
        pcm16(x, _NONE, np.float32(self.scale), out)
        return out
