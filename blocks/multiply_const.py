import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Port
from sdrflow.kernels.arith import scale, scale_in_place, scale_real, scale_real_in_place


class MultiplyConst(Block):
    """Multiplies by a constant: ``y[n] = constant · x[n]``.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    constant : complex or float
        The factor (linear); complex only on a complex stream. Settable while running.

    Example: ``MultiplyConst(0.5)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]
    message_inputs = ("ctrl",)

    def __init__(self, constant=1.0):
        self.set_constant(constant)

    def set_constant(self, constant) -> None:
        if not np.isfinite(constant):
            raise ValueError(f"MultiplyConst: constant must be finite, got {constant!r}")
        if self.input_types and self.input_types[0] == FLOAT32 and np.imag(constant) != 0:
            raise ValueError("MultiplyConst: a complex constant needs a complex64 stream")
        self.constant = constant
        # The factor and kernels for this stream; a real factor scales complex items as pairs
        # of floats, two multiplies an item instead of six flops.
        if self.input_types and self.input_types[0] == FLOAT32:
            self._k, self._kernels = np.float32(np.real(constant)), (scale_in_place, scale)
        elif np.imag(constant):
            self._k, self._kernels = np.complex64(constant), (scale_in_place, scale)
        else:
            self._k, self._kernels = np.float32(np.real(constant)), (scale_real_in_place, scale_real)

    def start(self, rate):
        self.set_constant(self.constant)

    def work(self, x):
        out = self.buffer(len(x), x.dtype, reuse=x)
        in_place, apply = self._kernels
        if out is x:
            in_place(x, self._k)
        else:
            apply(x, self._k, out)
        return out
