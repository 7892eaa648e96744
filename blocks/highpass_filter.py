from sdrflow.design import highpass

from .lowpass_filter import LowpassFilter


class HighpassFilter(LowpassFilter):
    """High-pass FIR designed from Hz at the stream's rate (window method; Hamming, or Kaiser
    for a given attenuation).

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    cutoff : float
        −6 dB edge in Hz.
    transition : float
        Transition width in Hz (default cutoff / 4).
    attenuation_db : float, optional
        Stop-band attenuation for a Kaiser design (default: Hamming, about 53 dB).

    Example: ``HighpassFilter(300, transition=100)``
    """

    def __init__(self, cutoff: float, transition: float | None = None,
                 attenuation_db: float | None = None):
        super().__init__(cutoff, transition, attenuation_db=attenuation_db)

    def design(self, rate):
        return highpass(self.cutoff, rate, self.transition, self.attenuation_db)
