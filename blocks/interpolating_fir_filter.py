import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Interpolate, Port
from sdrflow.kernels.fir import fir
from sdrflow.kernels.resample import polyphase, resample, resample_complex


def real_taps(taps, who) -> np.ndarray:
    """Validated float32 taps."""
    taps = np.asarray(taps)
    if taps.ndim != 1 or taps.size == 0 or np.iscomplexobj(taps) or not np.all(np.isfinite(taps)):
        raise ValueError(f"{who}: taps must be a non-empty sequence of real numbers")
    return taps.astype(np.float32)


class InterpolatingFIRFilter(Block):
    """Polyphase interpolating FIR: ``upfirdn(taps, x, interpolation, 1)``; each output
    costs len(taps)/interpolation multiplies, the zeros are never computed.

    Signature: complex64 -> complex64, float32 -> float32 (real taps)

    Parameters
    ----------
    taps : array_like
        Real filter taps at the output rate (their sum is the DC gain: use
        ``interpolation × lowpass`` to keep the level).
    interpolation : int
        Outputs per input.

    Example: ``InterpolatingFIRFilter(4 * lowpass(0.1, 1, 63), 4)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]

    def __init__(self, taps, interpolation: int):
        self.rate_rule = Interpolate(interpolation)
        self.interpolation = int(interpolation)
        self.taps = real_taps(taps, type(self).__name__)

    def start(self, rate):
        self._setup(self.interpolation, 1)

    def _setup(self, p, q):
        self._poly = polyphase(self.taps, p)
        self._q = q
        dtype = self.input_types[0].dtype
        self._hist = np.zeros(self._poly.shape[1] - 1, dtype)
        self._state = np.zeros(1, np.intp)
        self.cost = self._poly.shape[1] * p / q
        # Few phases × streams: plain tiled FIRs on deinterleaved input (several times faster);
        # otherwise (e.g. 160/147) one dot product per output.
        self._tiles = _PolyphaseTiles(self.taps, p, q, dtype) if p * q <= 64 else None

    def work(self, x):
        if self._tiles is not None:
            return self._tiles.process(x, lambda n: self.buffer(n, x.dtype))
        out = self.buffer(len(x) * self._poly.shape[0] // self._q + 1, x.dtype)
        kernel = resample_complex if x.dtype == np.complex64 else resample
        return out[:kernel(x, self._poly, self._q, self._hist, self._state, out)]


class _PolyphaseTiles:
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
