"""Numerically controlled oscillators and mixers.

Phase is kept in float64 cycles and wrapped to [0, 1) every sample, so long runs neither drift
nor lose precision."""
import math

import numpy as np

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


@kernel(["void(complex64[::1], float64, float64[::1], complex64[::1], complex64[::1])"],
        fastmath={"contract"})
def mix(x, step, phase, table, out):
    """out[n] = x[n] · exp(j·2π·(phase + n·step)); ``phase[0]`` (cycles) advances.

    ``table[m] = exp(j·2π·m·step)`` for one block (see ``mix_table``): each block of samples
    is a vectorised product with the table, times one exactly computed phasor for the block's
    start, so there is no per-sample sin/cos and no drift."""
    B = table.shape[0]
    p = phase[0]
    n = x.shape[0]
    for b0 in range(0, n, B):
        a = 2.0 * math.pi * p
        base = complex(math.cos(a), math.sin(a))
        br, bi = np.float32(base.real), np.float32(base.imag)
        for i in range(b0, min(b0 + B, n)):
            t = table[i - b0]
            tr = br * t.real - bi * t.imag
            ti = br * t.imag + bi * t.real
            v = x[i]
            out[i] = complex(v.real * tr - v.imag * ti, v.real * ti + v.imag * tr)
        p += min(B, n - b0) * step
        p -= math.floor(p)
    phase[0] = p


def mix_table(step, size=1024):
    """The block table for ``mix``: exp(j·2π·m·step), m < size, computed in double precision."""
    return np.exp(2j * np.pi * step * np.arange(size)).astype(np.complex64)
