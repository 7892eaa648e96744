import numpy as np

from sdrflow.block import COMPLEX64, INT8, INT16, UINT8, Block, Interpolate, Port
from sdrflow.kernels.convert import c64_to_int_iq

# format -> (stream type, numpy type, scale, offset, low, high): the inverse of IQToComplex.
_FORMATS = {
    "cu8": (UINT8, np.uint8, 127.5, 127.5, 0, 255),
    "cs8": (INT8, np.int8, 128.0, 0.0, -128, 127),
    "cs16": (INT16, np.int16, 32768.0, 0.0, -32768, 32767),
}


class ComplexToIQ(Block):
    """complex64 to interleaved integer I/Q, rounded and clipped: the inverse of IQToComplex.

    ``cu8``: ``round(x·127.5 + 127.5)``; ``cs8``: ``round(x·128)``; ``cs16``: ``round(x·32768)``.

    Signature: complex64 -> uint8 | int8 | int16 (two items per sample)

    Parameters
    ----------
    format : str
        ``cu8``, ``cs8`` or ``cs16``.

    Example: ``ComplexToIQ("cs16")``
    """

    inputs = [Port("in", COMPLEX64)]
    rate_rule = Interpolate(2)

    def __init__(self, format: str = "cu8"):
        if format not in _FORMATS:
            raise ValueError(f"ComplexToIQ: format must be one of {sorted(_FORMATS)}, got {format!r}")
        self.format = format
        self.outputs = [Port("out", _FORMATS[format][0])]

    def work(self, x):
        _, dtype, scale, offset, low, high = _FORMATS[self.format]
        out = self.buffer(2 * len(x), dtype)
        c64_to_int_iq(x, np.float32(scale), np.float32(offset), np.float32(low), np.float32(high), out)
        return out
