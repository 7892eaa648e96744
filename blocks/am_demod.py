from sdrflow.block import HierBlock

from .agc import AGC
from .dc_blocker import DCBlocker
from .lowpass_filter import LowpassFilter
from .magnitude import Magnitude
from .pll import PLL
from .real_part import RealPart


class AMDemod(HierBlock):
    """AM receiver for a carrier at 0 Hz: detector → DC removal → AGC → audio low-pass.

    The envelope detector (|x|) is simple and robust; the synchronous detector locks a PLL to
    the carrier and takes the in-phase part, which stays linear under selective fading and
    over-modulation. The DC blocker removes the carrier level; the AGC holds the audio at
    ``level`` whatever the signal strength.

    Signature: complex64 -> float32 (audio)

    Parameters
    ----------
    synchronous : bool
        PLL-based synchronous detection instead of the envelope.
    audio_cutoff : float
        Audio low-pass cutoff in Hz.
    decimation : int
        Decimation of the audio filter.
    level : float
        AGC target for the audio envelope.
    max_offset : float
        Carrier offset in Hz the synchronous detector's PLL may pull to.

    Example: ``AMDemod(synchronous=True, audio_cutoff=5e3, decimation=5)``
    """

    def __init__(self, synchronous: bool = False, audio_cutoff: float = 5e3, decimation: int = 1,
                 level: float = 0.5, max_offset: float = 500.0):
        super().__init__()
        if synchronous:
            detector = [PLL(bandwidth=50, min_frequency=-max_offset, max_frequency=max_offset),
                        RealPart()]
        else:
            detector = [Magnitude()]
        audio = LowpassFilter(audio_cutoff, transition=audio_cutoff / 5, decimation=decimation)
        self.connect(*detector, DCBlocker(20.0), AGC(reference=level, attack=0.05, decay=0.5),
                     audio)
        self.expose_input("in", detector[0])
        self.expose_output("out", audio)
