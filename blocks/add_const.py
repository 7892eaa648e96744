import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Port
from sdrflow.kernels.arith import offset, offset_in_place


class AddConst(Block):
    """Adds a constant: ``y[n] = x[n] + constant``.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    constant : complex or float
        The offset; complex only on a complex stream. Settable while running.

    Example: ``AddConst(-0.5)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]
    message_inputs = ("ctrl",)

    def __init__(self, constant=0.0):
        self.set_constant(constant)

    def set_constant(self, constant) -> None:
        if not np.isfinite(constant):
            raise ValueError(f"AddConst: constant must be finite, got {constant!r}")
        if self.input_types and self.input_types[0] == FLOAT32 and np.imag(constant) != 0:
            raise ValueError("AddConst: a complex constant needs a complex64 stream")
        self.constant = constant

    def start(self, rate):
        self.set_constant(self.constant)

    def work(self, x):
        c = np.complex64(self.constant) if x.dtype == np.complex64 else np.float32(np.real(self.constant))
        out = self.buffer(len(x), x.dtype, reuse=x)
        if out is x:
            offset_in_place(x, c)
        else:
            offset(x, c, out)
        return out
