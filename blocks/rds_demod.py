from sdrflow.block import HierBlock

from .biphase_decoder import BiphaseDecoder
from .costas_loop import CostasLoop
from .differential_decoder import DifferentialDecoder
from .freq_xlating_filter import FreqXlatingFilter
from .real_part import RealPart
from .symbol_sync import SymbolSync

#: RDS: a 57 kHz subcarrier (3 × the stereo pilot), 1187.5 bits per second sent as biphase
#: chips at twice that, BPSK, differentially coded.
SUBCARRIER, BIT_RATE = 57e3, 1187.5


class RDSDemod(HierBlock):
    """The RDS / RBDS subcarrier of an FM multiplex to data bits: 57 kHz to 0 Hz, low-pass and
    decimate → chip timing (Gardner) → BPSK carrier (Costas loop) → soft chips → biphase
    pairs → bits → differential decoding, which also undoes the Costas loop's 180° ambiguity.

    The input is the FM demodulator's output before de-emphasis, at any rate from 120 kHz
    (the subcarrier and its 2.4 kHz sidebands must fit); the channel filter keeps one sample
    in ``decimation``, and the chip timing needs at least two samples a chip.

    Signature: float32 (FM multiplex) -> uint8 (bits, 1187.5 per second)

    Parameters
    ----------
    decimation : int
        Decimation of the channel filter (24 takes a 240 kHz multiplex to 10 kHz).
    timing_bandwidth : float
        Chip timing loop bandwidth, a fraction of the chip rate. Narrow loops average more
        noise away: at 15 dB CNR, 0.002 and 10 Hz lose a fifth of the blocks, 0.004 and
        20 Hz half of them.
    carrier_bandwidth : float
        Costas loop bandwidth in Hz (the subcarrier is off by at most its share of the
        dongle's ppm error: 6 Hz at 100 ppm).

    Example: ``fg.connect(FMDemod(75e3), RDSDemod(), RDSDecoder())``
    """

    def __init__(self, decimation: int = 24, timing_bandwidth: float = 0.002,
                 carrier_bandwidth: float = 10.0):
        super().__init__()
        chip_rate = 2 * BIT_RATE
        self.channel = FreqXlatingFilter(SUBCARRIER, cutoff=chip_rate, decimation=decimation,
                                         transition=chip_rate / 2)
        self.timing = SymbolSync(chip_rate, timing_bandwidth, "gardner")
        self.carrier = CostasLoop(carrier_bandwidth, 2, max_frequency=50.0)
        self.bits = DifferentialDecoder()
        self.connect(self.channel, self.timing, self.carrier, RealPart(), BiphaseDecoder(),
                     self.bits)
        self.expose_input("in", self.channel)
        self.expose_output("out", self.bits)
