import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Decimate, Port
from sdrflow.kernels.fir import fir, fir_decimate


class FIRFilter(Block):
    """FIR filter with optional decimation.

    ``y[m] = Σ_k taps[k] · x[m·decimation − k]``, i.e. ``upfirdn(taps, x, 1, decimation)``;
    only the kept outputs are computed.

    Signature: complex64 -> complex64, float32 -> float32 (complex taps: complex64 -> complex64)

    Parameters
    ----------
    taps : array_like
        Filter coefficients, real or complex, non-empty.
    decimation : int
        Keep one output in ``decimation`` (1 = no rate change).

    Example: ``FIRFilter(scipy.signal.firwin(64, 0.2), decimation=4)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]

    def __init__(self, taps=None, decimation: int = 1):
        self.rate_rule = Decimate(decimation)
        self.decimation = int(decimation)
        if taps is not None:
            self._set_taps(taps)
        elif type(self).design is FIRFilter.design:  # only derived filters design their own
            raise ValueError(f"{type(self).__name__}: give the taps (e.g. FIRFilter([0.25, 0.5, "
                             f"0.25])), or use LowpassFilter/BandpassFilter to design them from Hz")

    def _set_taps(self, taps) -> None:
        taps = np.asarray(taps)
        if taps.ndim != 1 or taps.size == 0:
            raise ValueError(f"{type(self).__name__}: taps must be a non-empty 1-D sequence")
        if not np.all(np.isfinite(taps)):
            raise ValueError(f"{type(self).__name__}: taps must be finite numbers")
        self.taps = taps.astype(np.complex64 if np.iscomplexobj(taps) else np.float32)
        self.cost = len(taps) / self.decimation

    def output_types(self, input_types):
        if np.iscomplexobj(getattr(self, "taps", np.zeros(1, np.float32))):
            if input_types[0] != COMPLEX64:
                raise ValueError(f"{self.name}: complex taps need a complex64 input")
        return [input_types[0]]

    def _filter(self, x):
        # Real taps, no decimation: the tiled kernel reads an array that begins with the
        # history. The first m outputs read it from a short copy of history + x[:m]; the rest
        # read x itself (each output's window lies inside x), so x is never copied whole.
        m, n = len(self._hist), len(x)
        out = self.buffer(n, x.dtype)
        width = 2 if x.dtype == np.complex64 else 1
        k = min(m, n)
        head = self.scratch(m + k, x.dtype)
        head[:m] = self._hist
        head[m:] = x[:k]
        fir(head.view(np.float32), self._taps_rev, width, out[:k].view(np.float32))
        if n > m:
            fir(x.view(np.float32), self._taps_rev, width, out[m:].view(np.float32))
            self._hist[:] = x[n - m:]
        else:
            self._hist[:] = head[n:]
        return out

    def cost_at(self, rate):
        if getattr(self, "taps", None) is None and rate:
            try:
                return len(self.design(rate)) / self.decimation
            except ValueError:  # start() will say what is wrong
                pass
        return self.cost

    def design(self, rate: float):
        """Taps for input rate ``rate``; derived filters override this to design from Hz."""
        return self.taps

    def start(self, rate):
        self._set_taps(self.design(rate))
        dtype = self.input_types[0].dtype if self.input_types else np.dtype(np.complex64)
        self._taps_rev = np.ascontiguousarray(self.taps[::-1])
        self._hist = np.zeros(len(self.taps) - 1, dtype)
        self._state = np.zeros(1, np.intp)
        # Real taps without decimation: the tiled kernel (see _filter); else the decimating one.
        self._tiled = self._taps_rev.dtype == np.float32 and self.decimation == 1

    def work(self, x):
        if self._tiled:
            return self._filter(x)
        out = self.buffer(len(x) // self.decimation + 1, x.dtype)
        count = fir_decimate(x, self._taps_rev, self.decimation, self._hist, self._state, out)
        return out[:count]
