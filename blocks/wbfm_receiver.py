from sdrflow.block import HierBlock

from .deemphasis import Deemphasis
from .fm_demod import FMDemod
from .lowpass_filter import LowpassFilter


class WBFMReceiver(HierBlock):
    """Broadcast FM receiver (mono) as one block: channel filter → FM demod → de-emphasis →
    audio filter and decimation.

    The channel filter keeps ±``bandwidth``/2 and decimates by ``channel_decimation``; the audio
    filter cuts at 15 kHz and decimates by ``audio_decimation``. With 2.4 Msps in and the
    defaults: 240 kHz after the channel filter, 48 kHz audio out.

    Signature: complex64 -> float32 (audio, ±1 at full deviation)

    Parameters
    ----------
    channel_decimation : int
        Decimation of the channel filter (10 for 2.4 Msps → 240 kHz).
    audio_decimation : int
        Decimation after demodulation (5 for 240 kHz → 48 kHz).
    deviation : float
        Peak deviation in Hz (75e3).
    tau : float
        De-emphasis time constant in seconds (75e-6 Americas, 50e-6 Europe).
    bandwidth : float
        Channel bandwidth in Hz kept before demodulation.

    Example: ``WBFMReceiver(channel_decimation=10, audio_decimation=5, tau=50e-6)``
    """

    def __init__(self, channel_decimation: int = 10, audio_decimation: int = 5,
                 deviation: float = 75e3, tau: float = 75e-6, bandwidth: float = 200e3):
        super().__init__()
        if not bandwidth > 0:
            raise ValueError(f"WBFMReceiver: bandwidth must be > 0 Hz, got {bandwidth!r}")
        channel = LowpassFilter(bandwidth / 2, transition=bandwidth / 5, decimation=channel_decimation)
        demod = FMDemod(deviation)
        deemph = Deemphasis(tau)
        audio = LowpassFilter(15e3, transition=4e3, decimation=audio_decimation)
        self.channel, self.demod, self.deemphasis, self.audio = channel, demod, deemph, audio
        self.connect(channel, demod, deemph, audio)
        self.expose_input("in", channel)
        self.expose_output("out", audio)
