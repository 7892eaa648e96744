from sdrflow.design import root_raised_cosine

from .fir_filter import FIRFilter


class RRCFilter(FIRFilter):
    """Root-raised-cosine filter: the matched filter (and pulse shape) of PSK links.

    Designed at the start for the stream's samples per symbol, unit energy, ``span`` symbols.

    Signature: complex64 -> complex64, float32 -> float32

    Parameters
    ----------
    symbol_rate : float
        Symbols per second.
    rolloff : float
        Excess bandwidth (0 < rolloff ≤ 1), 0.35 being usual.
    span : int
        Length in symbols.

    Example: ``RRCFilter(symbol_rate=9600, rolloff=0.35)``
    """

    def __init__(self, symbol_rate: float, rolloff: float = 0.35, span: int = 11):
        super().__init__(None, 1)
        if not symbol_rate > 0:
            raise ValueError(f"RRCFilter: symbol_rate must be > 0 Hz, got {symbol_rate!r}")
        if not 0 < rolloff <= 1:
            raise ValueError(f"RRCFilter: rolloff must be in (0, 1], got {rolloff!r}")
        if int(span) != span or span < 2:
            raise ValueError(f"RRCFilter: span must be a whole number of symbols >= 2, got {span!r}")
        self.symbol_rate, self.rolloff, self.span = float(symbol_rate), float(rolloff), int(span)

    def design(self, rate):
        if rate < 2 * self.symbol_rate:
            raise ValueError(f"needs at least 2 samples per symbol; {rate:g} Hz is too slow for "
                             f"{self.symbol_rate:g} symbols/s")
        return root_raised_cosine(rate / self.symbol_rate, self.rolloff, self.span)
