"""Numerically controlled oscillators and mixers.

Phase is kept in float64 cycles and wrapped to [0, 1) every sample, so long runs neither drift
nor lose precision."""
import math

from ._jit import kernel


@kernel(["void(float64, float32, float64[::1], complex64[::1])"])
def tone(step, amplitude, phase, out):
    """out[n] = amplitude · exp(j·2π·(phase + n·step)); ``phase[0]`` (cycles) advances."""
    p = phase[0]
    for i in range(out.shape[0]):
        a = 2.0 * math.pi * p
        out[i] = complex(amplitude * math.cos(a), amplitude * math.sin(a))
        p += step
        p -= math.floor(p)
    phase[0] = p


@kernel(["void(float64, float32, float64[::1], float32[::1])"])
def tone_real(step, amplitude, phase, out):
    """out[n] = amplitude · cos(2π·(phase + n·step)); ``phase[0]`` (cycles) advances."""
    p = phase[0]
    for i in range(out.shape[0]):
        out[i] = amplitude * math.cos(2.0 * math.pi * p)
        p += step
        p -= math.floor(p)
    phase[0] = p


@kernel(["void(complex64[::1], float64, float64[::1], complex64[::1])"])
def mix(x, step, phase, out):
    """out[n] = x[n] · exp(j·2π·(phase + n·step)); ``phase[0]`` (cycles) advances."""
    p = phase[0]
    for i in range(x.shape[0]):
        a = 2.0 * math.pi * p
        c, s = math.cos(a), math.sin(a)
        v = x[i]
        out[i] = complex(v.real * c - v.imag * s, v.real * s + v.imag * c)
        p += step
        p -= math.floor(p)
    phase[0] = p
