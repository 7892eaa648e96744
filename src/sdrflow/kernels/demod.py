"""Demodulation kernels."""
import math

from ._jit import kernel


@kernel(["void(complex64[::1], float32, complex64[::1], float32[::1])"], fastmath={"contract"})
def fm_discriminate(x, gain, prev, out):
    """out[n] = gain · arg(x[n] · conj(x[n−1])); ``prev[0]`` carries x[−1] across calls."""
    p = prev[0]
    for i in range(x.shape[0]):
        v = x[i]
        re = v.real * p.real + v.imag * p.imag
        im = v.imag * p.real - v.real * p.imag
        out[i] = gain * math.atan2(im, re)
        p = v
    prev[0] = p
