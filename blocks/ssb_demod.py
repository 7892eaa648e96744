from sdrflow.block import HierBlock

from .agc import AGC
from .bandpass_filter import BandpassFilter
from .real_part import RealPart


class SSBDemod(HierBlock):
    """Single-sideband receiver (filter method) for a suppressed carrier at 0 Hz: a one-sided
    band-pass keeps the wanted sideband (USB: +low … +high, LSB: −high … −low), its real part
    is the audio, an AGC sets the level.

    Signature: complex64 -> float32 (audio)

    Parameters
    ----------
    sideband : str
        ``usb`` or ``lsb``.
    low, high : float
        Audio band edges in Hz.
    decimation : int
        Decimation of the sideband filter.
    level : float
        AGC target.

    Example: ``SSBDemod("lsb", low=300, high=2700)``
    """

    def __init__(self, sideband: str = "usb", low: float = 300.0, high: float = 3000.0,
                 decimation: int = 1, level: float = 0.5):
        super().__init__()
        if sideband not in ("usb", "lsb"):
            raise ValueError(f"SSBDemod: sideband must be 'usb' or 'lsb', got {sideband!r}")
        if not 0 <= low < high:
            raise ValueError(f"SSBDemod: need 0 <= low < high, got {low!r}, {high!r}")
        band = (low, high) if sideband == "usb" else (-high, -low)
        select = BandpassFilter(*band, transition=max(low, 100.0), decimation=decimation,
                                complex_taps=True)
        agc = AGC(reference=level, attack=0.02, decay=0.5)
        self.connect(select, RealPart(), agc)
        self.expose_input("in", select)
        self.expose_output("out", agc)
