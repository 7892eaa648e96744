import math

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.sync import loop_gains, phase_loop


class PLL(Block):
    """Carrier phase-locked loop: locks an NCO to the strongest carrier in the stream.

    Second-order loop (noise bandwidth ``bandwidth``, damping 0.707) with phase detector
    ``arg(x·e^{−jφ})``. ``output="derotated"`` gives ``x·e^{−jφ}`` (the carrier moved to 0 Hz,
    e.g. for synchronous AM); ``"reference"`` gives the clean locked carrier ``e^{jφ}`` (e.g. a
    regenerated stereo pilot). ``frequency`` holds the locked frequency in Hz.

    Signature: complex64 -> complex64

    Parameters
    ----------
    bandwidth : float
        Loop noise bandwidth in Hz: wider locks faster, narrower rejects more noise.
    min_frequency, max_frequency : float
        Range in Hz the loop may pull to.
    output : str
        ``derotated`` or ``reference``.
    frequency : float
        Starting frequency guess in Hz.

    Example: ``PLL(50, min_frequency=18.9e3, max_frequency=19.1e3, frequency=19e3, output="reference")``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", COMPLEX64)]
    cost = 20.0
    order = 0  # phase detector: plain carrier

    def __init__(self, bandwidth: float = 100.0, min_frequency: float = -1e3,
                 max_frequency: float = 1e3, output: str = "derotated", frequency: float = 0.0):
        if not bandwidth > 0:
            raise ValueError(f"{type(self).__name__}: bandwidth must be > 0 Hz, got {bandwidth!r}")
        if not min_frequency <= frequency <= max_frequency:
            raise ValueError(f"{type(self).__name__}: need min_frequency <= frequency <= max_frequency")
        if output not in ("derotated", "reference"):
            raise ValueError(f"{type(self).__name__}: output must be 'derotated' or 'reference'")
        self.bandwidth, self.output = float(bandwidth), output
        self.min_frequency, self.max_frequency = float(min_frequency), float(max_frequency)
        self.frequency = float(frequency)

    def start(self, rate):
        if max(abs(self.min_frequency), abs(self.max_frequency)) >= rate / 2:
            raise ValueError(f"the frequency range must stay within ±rate/2 ({rate / 2:g} Hz)")
        self._rate = rate
        alpha, beta = loop_gains(self.bandwidth, rate)
        self._alpha, self._beta = np.float32(alpha), np.float32(beta)
        to_rad = 2 * math.pi / rate
        self._fmin, self._fmax = np.float32(self.min_frequency * to_rad), np.float32(self.max_frequency * to_rad)
        self._state = np.array([0.0, self.frequency * to_rad])

    def work(self, x):
        out = self.buffer(len(x), np.complex64)
        ref = self.scratch(len(x), np.complex64)
        phase_loop(x, self._alpha, self._beta, self._fmin, self._fmax, self.order, self._state, out, ref)
        self.frequency = self._state[1] * self._rate / (2 * math.pi)
        if self.output == "reference":
            out[:] = ref
        return out
