"""Recursive filters."""
from ._jit import kernel


@kernel(["void(float32[::1], float32, float32, float32, float32[::1], float32[::1])",
         "void(complex64[::1], float32, float32, float32, complex64[::1], complex64[::1])"])
def one_pole(x, b0, b1, a1, state, out):
    """y[n] = b0·x[n] + b1·x[n−1] − a1·y[n−1]; ``state`` = [x[−1], y[−1]] carried across calls.
    ``out`` may be ``x`` (each x[n] is read before y[n] is written)."""
    xp, yp = state[0], state[1]
    for i in range(x.shape[0]):
        v = x[i]
        yp = b0 * v + b1 * xp - a1 * yp
        xp = v
        out[i] = yp
    state[0], state[1] = xp, yp


@kernel(["void(float32[::1], float64[:, ::1], float64[:, ::1], float32[::1])",
         "void(complex64[::1], float64[:, ::1], complex128[:, ::1], complex64[::1])"])
def sosfilt(x, sos, zi, out):
    """Cascade of second-order sections, transposed direct form II, state in double
    precision: the same as ``scipy.signal.sosfilt(sos, x, zi=zi)``. ``sos`` rows are
    [b0, b1, b2, a0, a1, a2] with a0 = 1; ``zi`` (sections × 2) carries across calls."""
    ns = sos.shape[0]
    for i in range(x.shape[0]):
        v = x[i] * 1.0
        for s in range(ns):
            y = sos[s, 0] * v + zi[s, 0]
            zi[s, 0] = sos[s, 1] * v - sos[s, 4] * y + zi[s, 1]
            zi[s, 1] = sos[s, 2] * v - sos[s, 5] * y
            v = y
        out[i] = v


@kernel(["void(float32[::1], float64[::1], intp[::1], float64[::1], float32[::1])",
         "void(complex64[::1], complex128[::1], intp[::1], complex128[::1], complex64[::1])"])
def moving_sum(x, ring, index, acc, out):
    """out[n] = Σ of the last len(ring) inputs (ring holds them; ``index[0]`` the oldest),
    accumulated in double precision so the running sum does not drift."""
    L = ring.shape[0]
    k = index[0]
    a = acc[0]
    for i in range(x.shape[0]):
        v = x[i] * 1.0
        a += v - ring[k]
        ring[k] = v
        k += 1
        if k == L:
            k = 0
        out[i] = a
    index[0] = k
    acc[0] = a
