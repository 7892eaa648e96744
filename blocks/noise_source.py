import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port


class NoiseSource(Block):
    """Gaussian white noise, reproducible by seed.

    ``y[n] ~ N(0, amplitude²)``; complex noise splits the power equally between I and Q, so
    ``E|y|² = amplitude²`` either way.

    Signature: -> complex64 (or float32 with ``real=True``)

    Parameters
    ----------
    rate : float
        Sample rate in Hz.
    amplitude : float
        RMS amplitude (linear).
    real : bool
        Emit float32 instead of complex64.
    seed : int
        Seed of the random generator.

    Example: ``NoiseSource(rate=2.4e6, amplitude=0.1, seed=1)``
    """

    outputs = [Port("out", COMPLEX64)]

    def __init__(self, rate: float, amplitude: float = 1.0, real: bool = False, seed: int = 0):
        if not rate > 0:
            raise ValueError(f"NoiseSource: rate must be > 0 Hz, got {rate!r}")
        if amplitude < 0:
            raise ValueError(f"NoiseSource: amplitude must be >= 0, got {amplitude!r}")
        self.sample_rate, self.amplitude, self.real, self.seed = float(rate), float(amplitude), bool(real), seed
        if self.real:
            self.outputs = [Port("out", FLOAT32)]

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        self._rng = np.random.default_rng(self.seed)

    def work(self, n):
        if self.real:
            out = self.buffer(n, np.float32)
            self._rng.standard_normal(out=out, dtype=np.float32)
            out *= np.float32(self.amplitude)
        else:
            out = self.buffer(n, np.complex64)
            f = out.view(np.float32)
            self._rng.standard_normal(out=f, dtype=np.float32)
            f *= np.float32(self.amplitude / np.sqrt(2))
        return out
