import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.nco import mix, mix_table


class Rotator(Block):
    """Frequency shift by a numerically controlled oscillator, phase-continuous across
    chunks and retunes: ``y[n] = x[n] · exp(j·2π·frequency·n / rate)``.

    Signature: complex64 -> complex64

    Parameters
    ----------
    frequency : float
        Shift in Hz: +f moves a signal up by f. Settable while running (message
        ``{"frequency": f}``).

    Example: ``Rotator(-100e3)`` brings a station at +100 kHz to 0 Hz.
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)
    cost = 6.0

    def __init__(self, frequency: float = 0.0):
        self.frequency = float(frequency)
        self._rate = None

    def set_frequency(self, frequency: float) -> None:
        if self._rate is not None and abs(frequency) > self._rate / 2:
            raise ValueError(f"Rotator: {frequency:g} Hz is beyond ±rate/2 ({self._rate / 2:g} Hz)")
        self.frequency = float(frequency)
        if self._rate is not None:
            self._table = mix_table(self.frequency / self._rate)

    def start(self, rate):
        self._rate = rate
        self.set_frequency(self.frequency)
        self._phase = np.zeros(1)

    def work(self, x):
        out = self.buffer(len(x), np.complex64)
        mix(x, self.frequency / self._rate, self._phase, self._table, out)
        return out
