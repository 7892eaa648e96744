from sdrflow.block import HierBlock

from .binary_slicer import BinarySlicer
from .fm_demod import FMDemod
from .lowpass_filter import LowpassFilter
from .symbol_sync import SymbolSync


class FSKDemod(HierBlock):
    """2-FSK / GFSK receiver to bits: FM discriminator → low-pass → Mueller–Müller timing
    recovery → slicer (``1`` for the upper tone).

    Signature: complex64 -> uint8 (bits, one per symbol)

    Parameters
    ----------
    deviation : float
        Frequency offset of each tone from the centre, in Hz.
    symbol_rate : float
        Symbols per second.
    timing_bandwidth : float
        Timing loop bandwidth as a fraction of the symbol rate.

    Example: ``FSKDemod(deviation=2.4e3, symbol_rate=4800)``
    """

    def __init__(self, deviation: float, symbol_rate: float, timing_bandwidth: float = 0.01):
        super().__init__()
        demod = FMDemod(deviation)
        smooth = LowpassFilter(0.75 * symbol_rate, transition=0.5 * symbol_rate)
        slicer = BinarySlicer()
        self.connect(demod, smooth, SymbolSync(symbol_rate, timing_bandwidth, "mm"), slicer)
        self.expose_input("in", demod)
        self.expose_output("out", slicer)
