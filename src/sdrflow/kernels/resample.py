"""Polyphase resampling: interpolation and rational P/Q in one pass.

Index math: the output k sits at position t = k·Q on the P-times upsampled grid; its input
item is n = t // P and its filter phase p = t % P, so
``y[k] = Σ_j poly_rev[p, j] · x[n − M + 1 + j]`` with ``poly_rev[p, j] = h[(M − 1 − j)·P + p]``
(M taps per phase) — the same as ``upfirdn(h, x, P, Q)``. Only kept outputs are computed.
``state[0]`` carries t for the next output, relative to the start of the next ``x``."""
import numpy as np

from ._jit import kernel
from .fir import _keep_history, fir


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


class PolyphaseTiles:
    """Rational resampling as a sum of plain FIRs on deinterleaved streams (used by
    InterpolatingFIRFilter and RationalResampler when P·Q is small).
    
    Output k = k0 + i·P (phase group k0 < P) is ``Σ_j' g_k0[j'] · x[i·Q + j']`` with
    ``g_k0[j'] = h[k0·Q − j'·P]``. Writing j' = a·Q + r and ``x_r[s] = x[s·Q + r]`` turns it into
    ``Σ_r Σ_a g_k0[a·Q + r] · x_r[i + a]``: for every (k0, r) an ordinary FIR over a contiguous
    stream, which the tiled ``fir`` kernel runs at full SIMD width. Indices are absolute; the
    buffer keeps input from stream index ``start`` (x index start·Q), zeros before the stream."""

    def __init__(self, taps, p, q, dtype):
        self.p, self.q, self.dtype = p, q, np.dtype(dtype)
        L = len(taps)
        self.parts = []  # per phase k0: list of (r, amin, taps_rev) and the phase's amin, amax
        lows, highs = [], []
        for k0 in range(p):
            jmin, jmax = -((L - 1 - k0 * q) // p), (k0 * q) // p
            js = np.arange(jmin, jmax + 1)
            g = taps[k0 * q - js * p]
            subs = []
            for r in range(q):
                sel = js % q == r
                if not sel.any():
                    continue
                a = js[sel] // q
                row = np.zeros(a.max() - a.min() + 1, np.float32)
                row[a - a.min()] = g[sel]
                subs.append((r, int(a.min()), row))  # fir() reads row[m] against x_r[i + amin + m]
            self.parts.append(subs)
            lows.append(min(s[1] for s in subs))
            highs.append(max(s[1] + len(s[2]) - 1 for s in subs))
        self.amin, self.amax = np.array(lows), np.array(highs)
        self.start = int(self.amin.min())           # stream index of buf[0]
        self.buf = np.zeros(-self.start * q, self.dtype)  # the zeros before the stream
        self.next_k = 0

    def process(self, x, make_out):
        """Append ``x`` and return every output that is now complete (via ``make_out(n)``)."""
        p, q = self.p, self.q
        buf = np.concatenate([self.buf, x])
        groups = len(buf) // q                     # whole stream items available per r
        last_i = self.start + groups - 1 - self.amax  # last computable i per phase
        k_end = int(min(k0 + (last_i[k0] + 1) * p for k0 in range(p)))
        n = max(k_end - self.next_k, 0)
        out = make_out(n)
        if n:
            streams = [np.ascontiguousarray(buf[r:groups * q:q]) for r in range(q)]
            width = 2 if self.dtype.kind == "c" else 1
            for k0, subs in enumerate(self.parts):
                i0 = -(-(self.next_k - k0) // p)
                i1 = -(-(k_end - k0) // p)
                if i1 <= i0:
                    continue
                acc = np.zeros(i1 - i0, self.dtype)
                tmp = np.empty(i1 - i0, self.dtype)
                for r, a0, taps_rev in subs:
                    s = i0 + a0 - self.start
                    seg = streams[r][s:s + (i1 - i0) + len(taps_rev) - 1]
                    fir(seg.view(np.float32), taps_rev, width, tmp.view(np.float32))
                    acc += tmp
                first = k0 + i0 * p - self.next_k
                out[first::p] = acc
            self.next_k = k_end
        # Keep what future outputs still need: stream items from min_k0(i_next + amin).
        i_next = np.array([-(-(self.next_k - k0) // p) for k0 in range(p)])
        keep_from = int(min(int((i_next + self.amin).min()), self.start + groups))
        self.buf = buf[(keep_from - self.start) * q:].copy()
        self.start = keep_from
        return out
