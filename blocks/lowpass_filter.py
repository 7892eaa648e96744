from sdrflow.design import lowpass_taps

from .fir_filter import FIRFilter


class LowpassFilter(FIRFilter):
    """Low-pass FIR designed from Hz at the stream's rate, with optional decimation.

    By default a Hamming-windowed sinc (as ``scipy.signal.firwin``) with unity gain at DC, its
    length from the transition width (about 3.3·rate / transition, some 53 dB of stop band);
    with ``attenuation_db`` a Kaiser window meeting it; with ``equiripple`` a Parks–McClellan
    design (``scipy.signal.remez``).

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    cutoff : float
        −6 dB edge in Hz.
    transition : float
        Transition band width in Hz (default: cutoff / 4).
    decimation : int
        Keep one output in ``decimation``.
    num_taps : int, optional
        Force the tap count instead of deriving it from ``transition``.
    attenuation_db : float, optional
        Stop-band attenuation for a Kaiser (or equiripple) design.
    equiripple : bool
        Parks–McClellan instead of the window method.

    Example: ``LowpassFilter(100e3, transition=20e3, decimation=10)``
    """

    def __init__(self, cutoff: float, transition: float | None = None, decimation: int = 1,
                 num_taps: int | None = None, attenuation_db: float | None = None,
                 equiripple: bool = False):
        super().__init__(None, decimation)
        if not cutoff > 0:
            raise ValueError(f"LowpassFilter: cutoff must be > 0 Hz, got {cutoff!r}")
        if transition is not None and not transition > 0:
            raise ValueError(f"LowpassFilter: transition must be > 0 Hz, got {transition!r}")
        if num_taps is not None and (int(num_taps) != num_taps or num_taps < 1):
            raise ValueError(f"LowpassFilter: num_taps must be a whole number >= 1, got {num_taps!r}")
        if attenuation_db is not None and not attenuation_db > 20:
            raise ValueError(f"LowpassFilter: attenuation_db must be > 20 dB, got {attenuation_db!r}")
        self.cutoff, self.num_taps = float(cutoff), num_taps
        self.transition = float(transition) if transition else self.cutoff / 4
        self.attenuation_db, self.equiripple = attenuation_db, bool(equiripple)

    def design(self, rate):
        if self.cutoff >= rate / 2:
            raise ValueError(f"cutoff {self.cutoff:g} Hz must be below half the input rate "
                             f"({rate / 2:g} Hz)")
        if rate / self.decimation < 2 * self.cutoff:
            raise ValueError(f"decimating {rate:g} Hz by {self.decimation} leaves "
                             f"{rate / self.decimation:g} Hz, too little for a {self.cutoff:g} Hz "
                             f"cutoff (aliasing); decimate less or lower the cutoff")
        return lowpass_taps(self.cutoff, rate, self.transition, self.attenuation_db, self.num_taps,
                            self.equiripple)
