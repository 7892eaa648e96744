from fractions import Fraction

from .rational_resampler import RationalResampler


class Resampler(RationalResampler):
    """Resamples to a given output rate: P/Q is found from the graph's input rate
    (``Fraction(output/input)``, denominators up to 1000), then it runs as RationalResampler.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    output_rate : float
        Wanted output rate in Hz; it must be reachable as P/Q of the input rate with Q ≤ 1000.

    Example: ``Resampler(48e3)`` after a 44.1 kHz source (160/147).
    """

    def __init__(self, output_rate: float):
        if not output_rate > 0:
            raise ValueError(f"Resampler: output_rate must be > 0 Hz, got {output_rate!r}")
        self.target = float(output_rate)
        self.user_taps = None

    def output_rate(self, rate):
        ratio = Fraction(self.target / rate).limit_denominator(1000)
        if ratio == 0 or abs(float(ratio) * rate - self.target) > 1e-9 * self.target:
            raise ValueError(f"{self.target:g} Hz is not P/Q × {rate:g} Hz with Q <= 1000; "
                             f"use RationalResampler with explicit factors")
        self._set_ratio(ratio.numerator, ratio.denominator)
        return float(rate * ratio)
