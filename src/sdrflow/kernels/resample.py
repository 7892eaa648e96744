"""Polyphase resampling: interpolation and rational P/Q in one pass.

Index math: the output k sits at position t = k·Q on the P-times upsampled grid; its input
item is n = t // P and its filter phase p = t % P, so
``y[k] = Σ_j poly_rev[p, j] · x[n − M + 1 + j]`` with ``poly_rev[p, j] = h[(M − 1 − j)·P + p]``
(M taps per phase) — the same as ``upfirdn(h, x, P, Q)``. Only kept outputs are computed.
``state[0]`` carries t for the next output, relative to the start of the next ``x``."""
import numpy as np

from ._jit import kernel
from .fir import _keep_history


def polyphase(taps, interpolation):
    """Split ``taps`` into ``interpolation`` phases, each reversed for forward reading."""
    P = int(interpolation)
    M = -(-len(taps) // P)
    h = np.zeros(M * P, taps.dtype)
    h[:len(taps)] = taps
    return np.ascontiguousarray(h.reshape(M, P).T[:, ::-1])


@kernel(["intp(float32[::1], float32[:, ::1], intp, float32[::1], intp[::1], float32[::1])"],
        fastmath={"reassoc", "contract"})
def resample(x, poly_rev, decimation, hist, state, out):
    """Rational resampler by P/Q (P = poly_rev.shape[0], Q = ``decimation``); returns the
    output count. ``hist`` holds the last M − 1 inputs."""
    P, M = poly_rev.shape
    n_in = x.shape[0]
    t = state[0]
    count = 0
    while t // P < n_in:
        n = t // P
        p = t - n * P
        start = n - M + 1
        acc = x[0] * 0
        if start >= 0:
            row = poly_rev[p]  # 1-D views let LLVM vectorise the dot product
            seg = x[start:start + M]
            for j in range(M):
                acc += row[j] * seg[j]
        else:
            for j in range(M):
                i = start + j
                acc += poly_rev[p, j] * (hist[M - 1 + i] if i < 0 else x[i])
        out[count] = acc
        count += 1
        t += decimation
    state[0] = t - n_in * P
    _keep_history(x, hist)
    return count


@kernel(["intp(complex64[::1], float32[:, ::1], intp, complex64[::1], intp[::1], complex64[::1])"],
        fastmath={"reassoc", "contract"})
def resample_complex(x, poly_rev, decimation, hist, state, out):
    """``resample`` for a complex stream with real taps, in real arithmetic (it vectorises)."""
    P, M = poly_rev.shape
    n_in = x.shape[0]
    t = state[0]
    count = 0
    while t // P < n_in:
        n = t // P
        p = t - n * P
        start = n - M + 1
        re = np.float32(0.0)
        im = np.float32(0.0)
        if start >= 0:
            row = poly_rev[p]
            seg = x[start:start + M]
            for j in range(M):
                re += row[j] * seg[j].real
                im += row[j] * seg[j].imag
        else:
            for j in range(M):
                i = start + j
                v = hist[M - 1 + i] if i < 0 else x[i]
                re += poly_rev[p, j] * v.real
                im += poly_rev[p, j] * v.imag
        out[count] = complex(re, im)
        count += 1
        t += decimation
    state[0] = t - n_in * P
    _keep_history(x, hist)
    return count
