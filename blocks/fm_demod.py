import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.demod import fm_discriminate


class FMDemod(Block):
    """FM quadrature demodulator, normalised to the deviation.

    ``y[n] = arg(x[n]·conj(x[n−1])) · rate / (2π·deviation)``: a carrier at +deviation Hz gives 1.

    Signature: complex64 -> float32

    Parameters
    ----------
    deviation : float
        Peak frequency deviation in Hz (75e3 for broadcast FM, 5e3 for narrowband voice).

    Example: ``FMDemod(75e3)``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", FLOAT32)]
    cost = 8.0

    def __init__(self, deviation: float = 75e3):
        if not deviation > 0:
            raise ValueError(f"FMDemod: deviation must be > 0 Hz, got {deviation!r}")
        self.deviation = float(deviation)

    def start(self, rate):
        if self.deviation >= rate / 2:
            raise ValueError(f"FMDemod: deviation {self.deviation:g} Hz needs a sample rate above "
                             f"{2 * self.deviation:g} Hz, the input runs at {rate:g} Hz")
        self._gain = np.float32(rate / (2 * np.pi * self.deviation))
        self._prev = np.ones(1, np.complex64)

    def work(self, x):
        out = self.buffer(len(x), np.float32)
        fm_discriminate(x, self._gain, self._prev, out)
        return out
