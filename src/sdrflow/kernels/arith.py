"""Element-wise arithmetic."""
import numpy as np

from ._jit import kernel


@kernel(["void(complex64[::1], complex64, complex64[::1])",
         "void(float32[::1], float32, float32[::1])"])
def scale(x, c, out):
    """out[n] = c · x[n]."""
    for i in range(x.shape[0]):
        out[i] = x[i] * c


@kernel(["void(complex64[::1], complex64)", "void(float32[::1], float32)"])
def scale_in_place(x, c):
    """x[n] ← c · x[n] (``scale`` with its output on its input runs at half the speed: the
    compiler's overlap check turns off the vector loop)."""
    for i in range(x.shape[0]):
        x[i] = x[i] * c


@kernel(["void(complex64[::1], float32, complex64[::1])"])
def scale_real(x, a, out):
    """out[n] = a · x[n] for a real ``a``: the complex items scaled as pairs of floats, two
    multiplies an item instead of a complex product's four and two adds."""
    xf, of = x.view(np.float32), out.view(np.float32)
    for i in range(xf.shape[0]):
        of[i] = xf[i] * a


@kernel(["void(complex64[::1], float32)"])
def scale_real_in_place(x, a):
    """x[n] ← a · x[n] for a real ``a`` (``scale_real`` in place)."""
    xf = x.view(np.float32)
    for i in range(xf.shape[0]):
        xf[i] = xf[i] * a


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
