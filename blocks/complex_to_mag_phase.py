import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.convert import c64_to_mag_phase


class ComplexToMagPhase(Block):
    """Magnitude and phase of complex samples: ``|x[n]|`` and ``arg(x[n])`` in (−π, π].

    Signature: complex64 -> float32 (mag), float32 (phase, radians)

    Example: ``fg.connect(src, ComplexToMagPhase()); fg.connect((mp, "phase"), sink)``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("mag", FLOAT32), Port("phase", FLOAT32)]

    def work(self, x):
        mag, phase = self.buffer(len(x), np.float32), self.buffer(len(x), np.float32)
        c64_to_mag_phase(x, mag, phase)
        return mag, phase
