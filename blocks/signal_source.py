import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.nco import tone, tone_real


class SignalSource(Block):
    """Tone generator.

    ``y[n] = amplitude · exp(j·2π·frequency·n / rate)`` (complex) or
    ``amplitude · cos(2π·frequency·n / rate)`` (real); phase-continuous, retunable while running.

    Signature: -> complex64 (or float32 with ``real=True``)

    Parameters
    ----------
    frequency : float
        Tone frequency in Hz (negative allowed for complex tones).
    rate : float
        Sample rate in Hz.
    amplitude : float
        Peak amplitude (linear).
    real : bool
        Emit a float32 cosine instead of a complex exponential.

    Example: ``SignalSource(1e3, rate=48e3, real=True)``
    """

    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)  # {"frequency": Hz} or {"amplitude": a} retunes while running

    def __init__(self, frequency: float, rate: float, amplitude: float = 1.0, real: bool = False):
        if not rate > 0:
            raise ValueError(f"SignalSource: rate must be > 0 Hz, got {rate!r}")
        self.sample_rate = float(rate)
        self.amplitude = float(amplitude)
        self.real = bool(real)
        if self.real:
            self.outputs = [Port("out", FLOAT32)]
        self.set_frequency(frequency)
        self._phase = np.zeros(1, np.float64)

    def set_frequency(self, frequency: float) -> None:
        if abs(frequency) > self.sample_rate / 2:
            raise ValueError(f"SignalSource: frequency {frequency} Hz is beyond ±rate/2 "
                             f"({self.sample_rate / 2} Hz)")
        self.frequency = float(frequency)

    def set_amplitude(self, amplitude: float) -> None:
        self.amplitude = float(amplitude)

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        self._phase[0] = 0.0

    def work(self, n):
        step = self.frequency / self.sample_rate
        if self.real:
            out = self.buffer(n, np.float32)
            tone_real(step, np.float32(self.amplitude), self._phase, out)
        else:
            out = self.buffer(n, np.complex64)
            tone(step, np.float32(self.amplitude), self._phase, out)
        return out
