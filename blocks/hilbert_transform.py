import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.design import hilbert
from sdrflow.kernels.fir import fir_decimate


class HilbertTransform(Block):
    """Real signal to its analytic signal: ``y = x(n − D) + j·H{x}(n)``, with H a windowed
    ideal Hilbert FIR and D = (num_taps − 1)/2 its delay: negative frequencies are removed.

    Signature: float32 -> complex64

    Parameters
    ----------
    num_taps : int
        Odd filter length; more taps reach lower frequencies (65 taps: ≥ 3 % of the rate).

    Example: ``HilbertTransform(65)``
    """

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", COMPLEX64)]

    def __init__(self, num_taps: int = 65):
        taps = hilbert(int(num_taps))  # validates
        self.num_taps = int(num_taps)
        taps = taps.astype(np.complex128) * 1j
        taps[(self.num_taps - 1) // 2] = 1.0
        self._taps_rev = np.ascontiguousarray(taps[::-1]).astype(np.complex64)

    def start(self, rate):
        self._hist = np.zeros(self.num_taps - 1, np.complex64)
        self._state = np.zeros(1, np.intp)

    def work(self, x):
        xc = self.scratch(len(x), np.complex64)
        xc[:] = x
        out = self.buffer(len(x), np.complex64)
        fir_decimate(xc, self._taps_rev, 1, self._hist, self._state, out)
        return out
