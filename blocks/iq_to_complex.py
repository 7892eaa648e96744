import numpy as np

from sdrflow.block import COMPLEX64, INT8, INT16, UINT8, Block, Decimate, Port
from sdrflow.kernels.convert import int_iq_to_c64, u8_table, u8_to_c64

_TYPES = {"cu8": UINT8, "cs8": INT8, "cs16": INT16}


class IQToComplex(Block):
    """Interleaved integer I/Q samples to complex64.

    ``cu8``: ``(b − 127.5) / 127.5`` (rtl_sdr, pyrtlsdr's convention); ``cs8``: ``b / 128``;
    ``cs16``: ``v / 32768``. Two input items make one output item.

    Signature: uint8 | int8 | int16 -> complex64

    Parameters
    ----------
    format : str
        ``cu8``, ``cs8`` or ``cs16``.

    Example: ``IQToComplex("cu8")``
    """

    outputs = [Port("out", COMPLEX64)]
    rate_rule = Decimate(2)

    def __init__(self, format: str = "cu8"):
        if format not in _TYPES:
            raise ValueError(f"IQToComplex: format must be one of {sorted(_TYPES)}, got {format!r}")
        self.format = format
        self.inputs = [Port("in", _TYPES[format])]

    def start(self, rate):
        self._carry = None
        self._lut = u8_table()

    def work(self, raw):
        raw = self.whole_groups(raw, 2)
        out = self.buffer(len(raw) // 2, np.complex64)
        if self.format == "cu8":
            u8_to_c64(raw, self._lut, out)
        else:
            int_iq_to_c64(raw, np.float32(128 if self.format == "cs8" else 32768), out)
        return out
