from sdrflow.design import bandpass, complex_bandpass

from .fir_filter import FIRFilter


class BandpassFilter(FIRFilter):
    """Band-pass FIR designed from Hz at the stream's rate, with optional decimation.

    Real taps pass ±(low … high); with ``complex_taps=True`` only low … high is passed (either
    may be negative), which selects one side of a complex stream.

    Signature: complex64 -> complex64, float32 -> float32 (complex taps: complex64 only)

    Parameters
    ----------
    low, high : float
        Band edges in Hz (−6 dB).
    transition : float
        Transition width in Hz.
    decimation : int
        Keep one output in ``decimation``.
    complex_taps : bool
        One-sided band for complex streams.
    attenuation_db : float, optional
        Kaiser design for this stop-band attenuation (real taps only).

    Example: ``BandpassFilter(300, 3000, transition=200)``
    """

    def __init__(self, low: float, high: float, transition: float, decimation: int = 1,
                 complex_taps: bool = False, attenuation_db: float | None = None):
        super().__init__(None, decimation)
        if not transition > 0:
            raise ValueError(f"BandpassFilter: transition must be > 0 Hz, got {transition!r}")
        if not low < high:
            raise ValueError(f"BandpassFilter: needs low < high, got {low!r} and {high!r}")
        self.low, self.high, self.transition = float(low), float(high), float(transition)
        self.complex_taps, self.attenuation_db = bool(complex_taps), attenuation_db

    def output_types(self, input_types):
        if self.complex_taps and input_types[0].dtype.kind != "c":
            raise ValueError(f"{self.name}: complex taps need a complex64 input")
        return [input_types[0]]

    def design(self, rate):
        if self.complex_taps:
            return complex_bandpass(self.low, self.high, rate, self.transition)
        return bandpass(self.low, self.high, rate, self.transition, self.attenuation_db)
