from sdrflow.block import HierBlock

from .binary_slicer import BinarySlicer
from .fm_demod import FMDemod
from .lowpass_filter import LowpassFilter
from .symbol_sync import SymbolSync


class FSKDemod(HierBlock):
    """2-FSK / GFSK receiver to bits: channel filter → FM discriminator → low-pass → Gardner
    timing recovery → slicer (``1`` for the upper tone).

    The channel filter passes ±(deviation + symbol_rate/2), about Carson's bandwidth, so the
    discriminator sees as little noise as the signal allows.

    Signature: complex64 -> uint8 (bits, one per symbol)

    Parameters
    ----------
    deviation : float
        Frequency offset of each tone from the centre, in Hz (modulation index
        h = 2·deviation/symbol_rate; h = 1 is usual for 2-FSK, about 0.5 for GFSK).
    symbol_rate : float
        Symbols per second.
    timing_bandwidth : float
        Timing loop bandwidth as a fraction of the symbol rate.

    Example: ``FSKDemod(deviation=2.4e3, symbol_rate=4800)``
    """

    def __init__(self, deviation: float, symbol_rate: float, timing_bandwidth: float = 0.002):
        super().__init__()
        if not deviation > 0 or not symbol_rate > 0:
            raise ValueError("FSKDemod: deviation and symbol_rate must be > 0 Hz")
        cutoff = deviation + symbol_rate / 2
        channel = LowpassFilter(cutoff, transition=cutoff / 2)
        smooth = LowpassFilter(0.75 * symbol_rate, transition=0.5 * symbol_rate)
        slicer = BinarySlicer()
        self.connect(channel, FMDemod(deviation), smooth,
                     SymbolSync(symbol_rate, timing_bandwidth, "gardner"), slicer)
        self.expose_input("in", channel)
        self.expose_output("out", slicer)
