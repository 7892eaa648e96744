import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, SAME, Block, Port
from sdrflow.kernels.iir import sosfilt


class IIRFilter(Block):
    """IIR filter as a cascade of second-order sections (``scipy.signal.sosfilt``), state in
    double precision.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    sos : array_like
        (sections × 6) rows [b0, b1, b2, 1, a1, a2], e.g. from
        ``scipy.signal.butter(4, 1e3, fs=48e3, output="sos")``.

    Example: ``IIRFilter(signal.butter(4, 3e3, fs=48e3, output="sos"))``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    outputs = [Port("out", SAME)]

    def __init__(self, sos):
        sos = np.atleast_2d(np.asarray(sos, dtype=np.float64))
        if sos.ndim != 2 or sos.shape[1] != 6 or sos.shape[0] == 0:
            raise ValueError("IIRFilter: sos must have shape (sections, 6)")
        if not np.all(np.isfinite(sos)) or np.any(sos[:, 3] == 0):
            raise ValueError("IIRFilter: sos must be finite with a0 != 0")
        self.sos = np.ascontiguousarray(sos / sos[:, 3:4])
        poles = np.concatenate([np.roots(s[3:]) for s in self.sos])
        if np.any(np.abs(poles) >= 1):
            raise ValueError("IIRFilter: the filter is unstable (a pole on or outside the unit circle)")

    def start(self, rate):
        complex_ = self.input_types[0] == COMPLEX64
        self._zi = np.zeros((len(self.sos), 2), np.complex128 if complex_ else np.float64)

    def work(self, x):
        out = self.buffer(len(x), x.dtype)
        sosfilt(x, self.sos, self._zi, out)
        return out
