import numpy as np

from sdrflow.block import COMPLEX64, UINT8, Block, Interpolate, Port


class PSKSlicer(Block):
    """Hard decisions on BPSK or QPSK symbols, to bits.

    BPSK (``order=2``): one bit per symbol, ``1`` for re > 0. QPSK (``order=4``): two bits per
    symbol, Gray-coded, first the sign of re then of im (``1`` for positive).

    Signature: complex64 -> uint8 (bits, order/2 per symbol)

    Parameters
    ----------
    order : int
        2 (BPSK) or 4 (QPSK).

    Example: ``PSKSlicer(4)``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", UINT8)]

    def __init__(self, order: int = 2):
        if order not in (2, 4):
            raise ValueError(f"PSKSlicer: order must be 2 or 4, got {order!r}")
        self.order = int(order)
        self.rate_rule = Interpolate(self.order // 2)

    def work(self, x):
        if self.order == 2:
            out = self.buffer(len(x), np.uint8)
            np.greater(x.real, 0, out=out, casting="unsafe")
            return out
        out = self.buffer(2 * len(x), np.uint8)
        np.greater(x.real, 0, out=out[0::2], casting="unsafe")
        np.greater(x.imag, 0, out=out[1::2], casting="unsafe")
        return out
