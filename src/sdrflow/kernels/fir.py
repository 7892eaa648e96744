"""FIR filters: direct form with carried history, optional decimation.

Index math for one call: ``x`` holds n new inputs, ``hist`` the M = L−1 inputs before them.
An output is kept at every input position p ≡ phase (mod decimation); its window is the L
inputs ending at p, ``y = Σ_k taps[k] · x[p − k]`` — the same as ``lfilter(taps, 1, x)[p]``
(or ``upfirdn(taps, x, 1, decimation)``). ``taps_rev`` is ``taps[::-1]`` so the window is read
forwards. ``state[0]`` carries the position of the next kept output past the end of ``x``."""
import numpy as np

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


@kernel(["intp(complex64[::1], float32[::1], intp, complex64[::1], intp[::1], complex64[::1])"],
        fastmath=_DOT)
def fir_decimate(x, taps_rev, decimation, hist, state, out):
    """Complex stream, real taps: the usual channel filter. Returns the number of outputs."""
    L = taps_rev.shape[0]
    M = L - 1
    n = x.shape[0]
    p = state[0]
    count = 0
    while p < n:
        re = np.float32(0.0)
        im = np.float32(0.0)
        start = p - M
        if start >= 0:
            for k in range(L):
                v = x[start + k]
                re += taps_rev[k] * v.real
                im += taps_rev[k] * v.imag
        else:
            for k in range(L):
                j = start + k
                v = hist[M + j] if j < 0 else x[j]
                re += taps_rev[k] * v.real
                im += taps_rev[k] * v.imag
        out[count] = complex(re, im)
        count += 1
        p += decimation
    state[0] = p - n
    _keep_history(x, hist)
    return count


@kernel(["intp(float32[::1], float32[::1], intp, float32[::1], intp[::1], float32[::1])",
         "intp(complex64[::1], complex64[::1], intp, complex64[::1], intp[::1], complex64[::1])"],
        fastmath=_DOT)
def fir_decimate_same(x, taps_rev, decimation, hist, state, out):
    """Stream and taps of one type (real/real or complex/complex). Returns the output count."""
    L = taps_rev.shape[0]
    M = L - 1
    n = x.shape[0]
    p = state[0]
    count = 0
    while p < n:
        acc = x[0] * 0
        start = p - M
        if start >= 0:
            for k in range(L):
                acc += taps_rev[k] * x[start + k]
        else:
            for k in range(L):
                j = start + k
                acc += taps_rev[k] * (hist[M + j] if j < 0 else x[j])
        out[count] = acc
        count += 1
        p += decimation
    state[0] = p - n
    _keep_history(x, hist)
    return count


@kernel(["intp(complex64[::1], complex64[::1], intp, complex64[::1], intp[::1], complex64[::1])"],
        fastmath=_DOT)
def fir_decimate_complex(x, taps_rev, decimation, hist, state, out):
    """Complex stream, complex taps, with the products written out in real arithmetic so the
    dot product vectorises. Returns the output count."""
    L = taps_rev.shape[0]
    M = L - 1
    n = x.shape[0]
    p = state[0]
    count = 0
    while p < n:
        re = np.float32(0.0)
        im = np.float32(0.0)
        start = p - M
        if start >= 0:
            for k in range(L):
                v = x[start + k]
                h = taps_rev[k]
                re += h.real * v.real - h.imag * v.imag
                im += h.real * v.imag + h.imag * v.real
        else:
            for k in range(L):
                j = start + k
                v = hist[M + j] if j < 0 else x[j]
                h = taps_rev[k]
                re += h.real * v.real - h.imag * v.imag
                im += h.real * v.imag + h.imag * v.real
        out[count] = complex(re, im)
        count += 1
        p += decimation
    state[0] = p - n
    _keep_history(x, hist)
    return count
