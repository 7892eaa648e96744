"""Element-wise arithmetic."""
from ._jit import kernel


@kernel(["void(complex64[::1], complex64, complex64[::1])",
         "void(complex64[::1], float32, complex64[::1])",
         "void(float32[::1], float32, float32[::1])"])
def scale(x, c, out):
    """out[n] = c · x[n]. A real ``c`` on complex items takes two multiplies an item, not six."""
    for i in range(x.shape[0]):
        out[i] = x[i] * c


@kernel(["void(complex64[::1], complex64)", "void(complex64[::1], float32)",
         "void(float32[::1], float32)"])
def scale_in_place(x, c):
    """x[n] ← c · x[n] (``scale`` with its output on its input runs at half the speed: the
    compiler's overlap check turns off the vector loop)."""
    for i in range(x.shape[0]):
        x[i] = x[i] * c


@kernel(["void(complex64[::1], float32[::1])"], fastmath={"contract"})
def mag_squared(x, out):
    """out[n] = |x[n]|²."""
    for i in range(x.shape[0]):
        out[i] = x[i].real * x[i].real + x[i].imag * x[i].imag


@kernel(["void(complex64[::1], complex64[::1])"])
def conjugate(x, out):
    """out[n] = conj(x[n])."""
    for i in range(x.shape[0]):
        out[i] = complex(x[i].real, -x[i].imag)


@kernel(["void(complex64[::1], complex64, complex64[::1])", "void(float32[::1], float32, float32[::1])"])
def offset(x, c, out):
    """out[n] = x[n] + c."""
    for i in range(x.shape[0]):
        out[i] = x[i] + c


@kernel(["void(complex64[::1], complex64)", "void(float32[::1], float32)"])
def offset_in_place(x, c):
    """x[n] ← x[n] + c."""
    for i in range(x.shape[0]):
        x[i] = x[i] + c
