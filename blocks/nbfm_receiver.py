from sdrflow.block import HierBlock

from .deemphasis import Deemphasis
from .fm_demod import FMDemod
from .lowpass_filter import LowpassFilter
from .power_squelch import PowerSquelch


class NBFMReceiver(HierBlock):
    """Narrowband FM voice receiver: channel filter → power squelch → FM demod →
    de-emphasis → audio low-pass.

    Signature: complex64 -> float32 (audio, ±1 at full deviation; zeros while squelched)

    Parameters
    ----------
    deviation : float
        Peak deviation in Hz (5e3 for 25 kHz channels, 2.5e3 for 12.5 kHz).
    channel_width : float
        Channel filter bandwidth in Hz (Carson: 2·(deviation + audio_cutoff)).
    decimation : int
        Decimation of the channel filter.
    squelch_db : float, optional
        Squelch threshold in dB (power; 0 dB = full scale); None = always open.
    tau : float, optional
        De-emphasis time constant in seconds (None = flat audio).
    audio_cutoff : float
        Audio low-pass cutoff in Hz.

    Example: ``NBFMReceiver(deviation=2.5e3, squelch_db=-50, decimation=10)``
    """

    def __init__(self, deviation: float = 5e3, channel_width: float | None = None,
                 decimation: int = 1, squelch_db: float | None = None, tau: float | None = 75e-6,
                 audio_cutoff: float = 3.5e3):
        super().__init__()
        width = channel_width or 2 * (deviation + audio_cutoff)
        chain = [LowpassFilter(width / 2, transition=width / 8, decimation=decimation)]
        if squelch_db is not None:
            chain.append(PowerSquelch(squelch_db, hysteresis_db=3, tau=5e-3))
        chain.append(FMDemod(deviation))
        if tau:
            chain.append(Deemphasis(tau))
        chain.append(LowpassFilter(audio_cutoff, transition=audio_cutoff / 4))
        self.connect(*chain)
        self.expose_input("in", chain[0])
        self.expose_output("out", chain[-1])
