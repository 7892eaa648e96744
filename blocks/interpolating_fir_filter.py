import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Interpolate, Port
from sdrflow.kernels.resample import PolyphaseTiles, polyphase, resample, resample_complex


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
        self._tiles = PolyphaseTiles(self.taps, p, q, dtype) if p * q <= 64 else None

    def work(self, x):
        if self._tiles is not None:
            return self._tiles.process(x, lambda n: self.buffer(n, x.dtype))
        out = self.buffer(len(x) * self._poly.shape[0] // self._q + 1, x.dtype)
        kernel = resample_complex if x.dtype == np.complex64 else resample
        return out[:kernel(x, self._poly, self._q, self._hist, self._state, out)]
