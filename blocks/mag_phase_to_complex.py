import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.convert import mag_phase_to_c64


class MagPhaseToComplex(Block):
    """Complex samples from magnitude and phase: ``y[n] = mag[n] · exp(j·phase[n])``.

    Signature: float32 (mag), float32 (phase, radians) -> complex64

    Example: ``fg.connect((mp, "mag"), (MagPhaseToComplex(), "mag"))``
    """

    inputs = [Port("mag", FLOAT32), Port("phase", FLOAT32)]
    outputs = [Port("out", COMPLEX64)]

    def work(self, mag, phase):
        out = self.buffer(len(mag), np.complex64)
        mag_phase_to_c64(mag, phase, out)
        return out
