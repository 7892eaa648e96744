"""FIR filters: direct form with carried history, optional decimation.

Index math for one call: ``x`` holds n new inputs, ``hist`` the M = L−1 inputs before them.
An output is kept at every input position p ≡ phase (mod decimation); its window is the L
inputs ending at p, ``y = Σ_k taps[k] · x[p − k]`` — the same as ``lfilter(taps, 1, x)[p]``
(or ``upfirdn(taps, x, 1, decimation)``). ``taps_rev`` is ``taps[::-1]`` so the window is read
forwards. ``state[0]`` carries the position of the next kept output past the end of ``x``."""
import numpy as np
from numba import types
from numba.extending import overload

from ._jit import kernel

_DOT = {"reassoc", "contract"}  # lets LLVM use SIMD for the dot products


@kernel(["void(complex64[::1], complex64[::1])", "void(float32[::1], float32[::1])"])
def _keep_history(x, hist):
    """hist ← the last len(hist) items of (hist ++ x)."""
    M = hist.shape[0]
    n = x.shape[0]
    if n >= M:
        for i in range(M):
            hist[i] = x[n - M + i]
    else:
        for i in range(M - n):
            hist[i] = hist[i + n]
        for i in range(n):
            hist[M - n + i] = x[i]


def _dot(taps_rev, window):
    """Σ_k taps_rev[k] · window[k]; the arithmetic follows the types (see ``_dot_for``)."""


@overload(_dot, jit_options={"fastmath": _DOT})
def _dot_for(taps_rev, window):
    if isinstance(taps_rev.dtype, types.Complex) and not isinstance(window.dtype, types.Complex):
        def dot(taps_rev, window):  # complex taps on a real stream: two real dot products
            re = np.float32(0.0)
            im = np.float32(0.0)
            for k in range(taps_rev.shape[0]):
                v = window[k]
                re += taps_rev[k].real * v
                im += taps_rev[k].imag * v
            return complex(re, im)
    elif isinstance(taps_rev.dtype, types.Complex):
        def dot(taps_rev, window):  # products written out in reals, so the sums vectorise
            re = np.float32(0.0)
            im = np.float32(0.0)
            for k in range(taps_rev.shape[0]):
                v = window[k]
                h = taps_rev[k]
                re += h.real * v.real - h.imag * v.imag
                im += h.real * v.imag + h.imag * v.real
            return complex(re, im)
    elif isinstance(window.dtype, types.Complex):
        def dot(taps_rev, window):  # real taps on I and on Q
            re = np.float32(0.0)
            im = np.float32(0.0)
            for k in range(taps_rev.shape[0]):
                v = window[k]
                re += taps_rev[k] * v.real
                im += taps_rev[k] * v.imag
            return complex(re, im)
    else:
        def dot(taps_rev, window):
            acc = np.float32(0.0)
            for k in range(taps_rev.shape[0]):
                acc += taps_rev[k] * window[k]
            return acc
    return dot


@kernel(["intp(complex64[::1], float32[::1], intp, complex64[::1], intp[::1], complex64[::1])",
         "intp(float32[::1], float32[::1], intp, float32[::1], intp[::1], float32[::1])",
         "intp(complex64[::1], complex64[::1], intp, complex64[::1], intp[::1], complex64[::1])",
         "intp(float32[::1], complex64[::1], intp, float32[::1], intp[::1], complex64[::1])"],
        fastmath=_DOT)
def fir_decimate(x, taps_rev, decimation, hist, state, out):
    """Keeps every ``decimation``-th output of the FIR: complex stream with real taps (the
    channel filter), real with real, complex with complex, or real with complex (a one-sided
    band-pass on a real signal, complex out). Returns the number of outputs.

    One loop for all four: the window of each output is a slice, and ``_dot`` does the
    arithmetic its types call for. Windows that begin in the history read from a short
    copy of hist ++ x[:M]."""
    L = taps_rev.shape[0]
    M = L - 1
    n = x.shape[0]
    p = state[0]
    count = 0
    if p < M and p < n:
        edge = np.empty(M + min(n, M), x.dtype)
        # Item loops, not slice assignments: Numba 0.68 takes 6 s to compile a complex64
        # slice assignment and under a second for these.
        for i in range(M):
            edge[i] = hist[i]
        for i in range(edge.shape[0] - M):
            edge[M + i] = x[i]
        while p < M and p < n:
            out[count] = _dot(taps_rev, edge[p:p + L])
            count += 1
            p += decimation
    while p < n:
        out[count] = _dot(taps_rev, x[p - M:p + 1])
        count += 1
        p += decimation
    state[0] = p - n
    _keep_history(x, hist)
    return count


@kernel(["void(float32[::1], float32[::1], intp, float32[::1])"], fastmath={"contract"})
def fir(x, taps_rev, width, out):
    """Real taps without decimation on a stream of ``width`` floats per item (1 real, 2 complex
    as interleaved I/Q): ``out[m] = Σ_k taps_rev[k] · x[m + k·width]``, where ``x`` starts with
    the L − 1 items of history. Fills all of ``out``.

    Outputs are computed in tiles of 512 floats that stay in L1, eight taps per pass over a
    tile: each pass is a plain multiply-add over contiguous floats, which vectorises without
    reductions (about twice the speed of a dot product per output)."""
    L = taps_rev.shape[0]
    N = out.shape[0]
    T = 512
    w = width
    for i0 in range(0, N, T):
        e = min(i0 + T, N)
        o = out[i0:e]
        n = o.shape[0]
        for j in range(n):
            o[j] = 0.0
        k = 0
        while k + 8 <= L:
            b = i0 + k * w
            h0, h1, h2, h3 = taps_rev[k], taps_rev[k + 1], taps_rev[k + 2], taps_rev[k + 3]
            h4, h5, h6, h7 = taps_rev[k + 4], taps_rev[k + 5], taps_rev[k + 6], taps_rev[k + 7]
            x0, x1 = x[b:b + n], x[b + w:b + w + n]
            x2, x3 = x[b + 2 * w:b + 2 * w + n], x[b + 3 * w:b + 3 * w + n]
            x4, x5 = x[b + 4 * w:b + 4 * w + n], x[b + 5 * w:b + 5 * w + n]
            x6, x7 = x[b + 6 * w:b + 6 * w + n], x[b + 7 * w:b + 7 * w + n]
            for j in range(n):
                o[j] += (((h0 * x0[j] + h1 * x1[j]) + (h2 * x2[j] + h3 * x3[j]))
                         + ((h4 * x4[j] + h5 * x5[j]) + (h6 * x6[j] + h7 * x7[j])))
            k += 8
        while k < L:
            hk = taps_rev[k]
            xs = x[i0 + k * w:e + k * w]
            for j in range(n):
                o[j] += hk * xs[j]
            k += 1
