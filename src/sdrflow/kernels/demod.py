"""Demodulation kernels."""
import math

import numpy as np

from ._jit import kernel

# atan(a)/a ≈ Σ C[k]·(a²)^k on 0 ≤ a ≤ 1: least squares on Chebyshev nodes, |error| < 2e-8 rad
# in float64 and about 1.2e-7 rad (float32 rounding) as used here.
_C0, _C1, _C2, _C3, _C4 = 0.999999986, -0.3333309025, 0.1999300033, -0.1420688199, 0.106543344
_C5, _C6, _C7, _C8 = -0.07534214911, 0.04305963146, -0.01630341696, 0.002910503264


@kernel(["float32(float32, float32)"], fastmath={"contract"})
def atan2f(y, x):
    """arg(x + jy) in (−π, π], branch-free so loops over it vectorise; atan2(0, 0) = 0."""
    ax, ay = abs(x), abs(y)
    big, small = max(ax, ay), min(ax, ay)
    a = small / big if big > 0 else np.float32(0.0)
    s = a * a
    p = np.float32(_C8)
    p = p * s + np.float32(_C7)
    p = p * s + np.float32(_C6)
    p = p * s + np.float32(_C5)
    p = p * s + np.float32(_C4)
    p = p * s + np.float32(_C3)
    p = p * s + np.float32(_C2)
    p = p * s + np.float32(_C1)
    p = p * s + np.float32(_C0)
    r = p * a
    r = np.float32(math.pi / 2) - r if ay > ax else r
    r = np.float32(math.pi) - r if x < 0 else r
    return -r if y < 0 else r


@kernel(["void(complex64[::1], float32, complex64[::1], float32[::1])"], fastmath={"contract"})
def fm_discriminate(x, gain, prev, out):
    """out[n] = gain · arg(x[n] · conj(x[n−1])); ``prev[0]`` carries x[−1] across calls."""
    n = x.shape[0]
    if n == 0:
        return
    p = prev[0]
    out[0] = gain * atan2f(x[0].imag * p.real - x[0].real * p.imag,
                           x[0].real * p.real + x[0].imag * p.imag)
    for i in range(1, n):
        v, u = x[i], x[i - 1]
        re = v.real * u.real + v.imag * u.imag
        im = v.imag * u.real - v.real * u.imag
        out[i] = gain * atan2f(im, re)
    prev[0] = x[n - 1]


@kernel(["void(float32[::1], complex64[::1], float32[::1], float32[::1])"], fastmath={"contract"})
def stereo_matrix(mpx, pilot, left, right):
    """Left and right from the multiplex and the locked pilot phasor p = e^{jθ}:
    with c = cos(2θ) = Re(p²), left = mpx·(1 + 2c), right = mpx·(1 − 2c) (low-pass them after:
    the 38 kHz products fall away, leaving L and R)."""
    for i in range(mpx.shape[0]):
        p = pilot[i]
        c2 = 2.0 * (p.real * p.real - p.imag * p.imag)
        m = mpx[i]
        left[i] = m + m * c2
        right[i] = m - m * c2


@kernel(["void(complex64[::1], float32[::1])"], fastmath={"contract"})
def magnitude(x, out):
    """out[n] = |x[n]|, the AM envelope."""
    for i in range(x.shape[0]):
        out[i] = math.sqrt(x[i].real * x[i].real + x[i].imag * x[i].imag)
