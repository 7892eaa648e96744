import numpy as np

from sdrflow.block import ANY, Block, Port
from sdrflow.kernels.fft import db_in_place


class Decibels(Block):
    """Converts power (or amplitude) to decibels: ``y = 10·log10(max(x, floor))``
    (``20·log10`` for amplitudes). Works on streams and on vectors (spectra).

    Signature: float32 -> float32, float32[n] -> float32[n]

    Parameters
    ----------
    amplitude : bool
        Input is an amplitude (20·log10) rather than a power (10·log10).
    floor : float
        Smallest input taken, so that zero gives a finite value (default 1e-20: −200 dB).

    Example: ``Decibels()``
    """

    inputs = [Port("in", ANY)]
    outputs = [Port("out", "same")]

    def __init__(self, amplitude: bool = False, floor: float = 1e-20):
        if not floor >= 1e-37:  # the fast log needs normal float32 numbers
            raise ValueError(f"Decibels: floor must be >= 1e-37 (−370 dB), got {floor!r}")
        self.scale = 20.0 if amplitude else 10.0
        self.floor = float(floor)

    def output_types(self, input_types):
        if input_types[0].dtype != np.float32:
            raise ValueError(f"{self.name}: takes float32 power or amplitude, got {input_types[0]}; "
                             f"put MagSquared before it for complex samples")
        return [input_types[0]]

    def work(self, x):
        out = self.buffer(len(x), np.float32, x.shape[1:])
        flat = out.reshape(-1)
        flat[:] = x.reshape(-1)
        if self.scale == 20.0:  # 20·log10(a) = 2 · 10·log10(|a|)
            np.abs(flat, out=flat)
        db_in_place(flat, np.float32(self.floor))
        if self.scale == 20.0:
            flat *= np.float32(2)
        return out
