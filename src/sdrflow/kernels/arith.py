"""Element-wise arithmetic."""
from ._jit import kernel


@kernel(["void(complex64[::1], complex64, complex64[::1])",
         "void(float32[::1], float32, float32[::1])"])
def scale(x, c, out):
    """out[n] = c · x[n]."""
    for i in range(x.shape[0]):
        out[i] = x[i] * c
