"""Polyphase resampling: interpolation and rational P/Q in one pass.

Index math: the output k sits at position t = k·Q on the P-times upsampled grid; its input
item is n = t // P and its filter phase p = t % P, so
``y[k] = Σ_j poly_rev[p, j] · x[n − M + 1 + j]`` with ``poly_rev[p, j] = h[(M − 1 − j)·P + p]``
(M taps per phase) — the same as ``upfirdn(h, x, P, Q)``. Only kept outputs are computed.
``state[0]`` carries t for the next output, relative to the start of the next ``x``."""
import numpy as np

from ._jit import kernel


def polyphase(taps, interpolation):
    """Split ``taps`` into ``interpolation`` phases, each reversed for forward reading."""
    P = int(interpolation)
    M = -(-len(taps) // P)
    h = np.zeros(M * P, taps.dtype)
    h[:len(taps)] = taps
    return np.ascontiguousarray(h.reshape(M, P).T[:, ::-1])


@kernel(["intp(float32[::1], float32[:, ::1], intp, float32[::1], intp[::1], float32[::1])",
         "intp(complex64[::1], float32[:, ::1], intp, complex64[::1], intp[::1], complex64[::1])"],
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
            for j in range(M):
                acc += poly_rev[p, j] * x[start + j]
        else:
            for j in range(M):
                i = start + j
                acc += poly_rev[p, j] * (hist[M - 1 + i] if i < 0 else x[i])
        out[count] = acc
        count += 1
        t += decimation
    state[0] = t - n_in * P
    # hist <- last M-1 items of hist ++ x
    H = hist.shape[0]
    if n_in >= H:
        for i in range(H):
            hist[i] = x[n_in - H + i]
    else:
        for i in range(H - n_in):
            hist[i] = hist[i + n_in]
        for i in range(n_in):
            hist[H - n_in + i] = x[i]
    return count
