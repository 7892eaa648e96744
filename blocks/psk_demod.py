from sdrflow.block import HierBlock

from .costas_loop import CostasLoop
from .psk_slicer import PSKSlicer
from .rrc_filter import RRCFilter
from .symbol_sync import SymbolSync


class PSKDemod(HierBlock):
    """BPSK / QPSK receiver to bits: RRC matched filter → Gardner timing recovery → Costas
    loop → hard decisions.

    The carrier offset must be within the Costas loop's pull-in (a few % of the symbol rate);
    the phase ambiguity of the Costas loop (180° / 90°) remains: use differential coding
    (DifferentialDecoder) or a sync word to resolve it.

    Signature: complex64 -> uint8 (bits)

    Parameters
    ----------
    symbol_rate : float
        Symbols per second.
    order : int
        2 (BPSK) or 4 (QPSK).
    rolloff : float
        RRC excess bandwidth of the transmitter.
    timing_bandwidth : float
        Timing loop bandwidth as a fraction of the symbol rate.
    carrier_bandwidth : float
        Costas loop bandwidth in Hz.
    max_offset : float
        Largest carrier offset in Hz the Costas loop may follow.

    Example: ``PSKDemod(symbol_rate=2400, order=4)``
    """

    def __init__(self, symbol_rate: float, order: int = 2, rolloff: float = 0.35,
                 timing_bandwidth: float = 0.002, carrier_bandwidth: float | None = None,
                 max_offset: float | None = None):
        super().__init__()
        self.matched = RRCFilter(symbol_rate, rolloff)
        self.timing = SymbolSync(symbol_rate, timing_bandwidth, "gardner")
        self.carrier = CostasLoop(carrier_bandwidth or 0.01 * symbol_rate, order,
                                  max_offset or 0.05 * symbol_rate)
        self.slicer = PSKSlicer(order)
        self.connect(self.matched, self.timing, self.carrier, self.slicer)
        self.expose_input("in", self.matched)
        self.expose_output("out", self.slicer)
