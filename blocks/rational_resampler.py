from math import gcd

import numpy as np

from sdrflow.block import Rational
from sdrflow.design import lowpass, num_taps_for

from .interpolating_fir_filter import InterpolatingFIRFilter, real_taps


class RationalResampler(InterpolatingFIRFilter):
    """Polyphase rational resampler by interpolation/decimation = P/Q: ``upfirdn(taps, x, P, Q)``
    with only the kept outputs computed (e.g. 240 kHz → 48 kHz is 1/5, 2.4 Msps → 1.92 Msps
    is 4/5, 44.1 kHz → 48 kHz is 160/147).

    Without ``taps``, a low-pass is designed at the start for the P-times rate: cutoff at 45 %
    of the lower of the two rates, transition 10 % of it, gain P.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    interpolation : int
        P.
    decimation : int
        Q.
    taps : array_like, optional
        Real taps at the P-times rate.

    Example: ``RationalResampler(160, 147)``
    """

    def __init__(self, interpolation: int, decimation: int, taps=None):
        Rational(interpolation, decimation)  # validates both
        g = gcd(int(interpolation), int(decimation))
        self._set_ratio(int(interpolation) // g, int(decimation) // g)
        self.user_taps = None if taps is None else real_taps(taps, type(self).__name__)

    def _set_ratio(self, p, q):
        self.interpolation, self.decimation = p, q
        self.rate_rule = Rational(p, q)

    def design(self, rate):
        p, q = self.interpolation, self.decimation
        narrow = min(rate, rate * p / q)
        n = num_taps_for(rate * p, 0.1 * narrow)
        return (p * lowpass(0.45 * narrow, rate * p, n)).astype(np.float32)

    def start(self, rate):
        self.taps = self.user_taps if self.user_taps is not None else self.design(rate)
        self._setup(self.interpolation, self.decimation)
