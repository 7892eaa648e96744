from sdrflow.block import HierBlock

from .deemphasis import Deemphasis
from .fm_demod import FMDemod
from .lowpass_filter import LowpassFilter
from .stereo_decoder import StereoDecoder


class WBFMStereoReceiver(HierBlock):
    """Broadcast FM stereo receiver as one block: channel filter → FM demod → stereo decoder
    (19 kHz pilot PLL, L−R from 38 kHz) → de-emphasis and 15 kHz filter per channel.

    With 2.4 Msps in and the defaults: 480 kHz multiplex, 48 kHz left and right out. The
    channel is wider than for mono (256 kHz, Carson's rule for 75 kHz deviation and a 53 kHz
    multiplex): a 200 kHz channel at 240 kHz clips the L−R sidebands and costs about 10 dB of
    separation.

    Signature: complex64 -> float32 (left), float32 (right)

    Parameters
    ----------
    channel_decimation : int
        Decimation of the channel filter (5 for 2.4 Msps → 480 kHz).
    audio_decimation : int
        Decimation of the audio filters (10 for 480 kHz → 48 kHz).
    deviation : float
        Peak deviation in Hz.
    tau : float
        De-emphasis time constant in seconds (75e-6 Americas, 50e-6 Europe).
    bandwidth : float
        Channel bandwidth in Hz.

    Example: ``WBFMStereoReceiver(tau=50e-6)``
    """

    def __init__(self, channel_decimation: int = 5, audio_decimation: int = 10,
                 deviation: float = 75e3, tau: float = 75e-6, bandwidth: float = 256e3):
        super().__init__()
        if not bandwidth > 0:
            raise ValueError(f"WBFMStereoReceiver: bandwidth must be > 0 Hz, got {bandwidth!r}")
        channel = LowpassFilter(bandwidth / 2, transition=bandwidth / 5, decimation=channel_decimation)
        self.decoder = StereoDecoder()
        self.connect(channel, FMDemod(deviation), self.decoder)
        for side in ("left", "right"):
            audio = LowpassFilter(15e3, transition=4e3, decimation=audio_decimation)
            self.connect((self.decoder, side), Deemphasis(tau), audio)
            self.expose_output(side, audio)
        self.expose_input("in", channel)
