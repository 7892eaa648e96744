import math

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.sync import frequency_loop


class FLL(Block):
    """Frequency-locked loop: removes a carrier frequency offset (not its phase).

    A first-order loop on the phase step between outputs; ``order`` = M raises the step to the
    M-th power first, which removes M-PSK modulation (1: plain carrier or FM, 2: BPSK, 4:
    QPSK). Use it before a PLL or Costas loop when the offset is larger than their pull-in
    range. ``frequency`` holds the offset found, in Hz.

    Signature: complex64 -> complex64

    Parameters
    ----------
    bandwidth : float
        Loop bandwidth in Hz (speed of convergence).
    order : int
        Power that removes the modulation (1, 2 or 4).

    Example: ``FLL(bandwidth=20, order=2)``
    """

    inputs = [Port("in", COMPLEX64)]
    outputs = [Port("out", COMPLEX64)]

    def __init__(self, bandwidth: float = 20.0, order: int = 1):
        if not bandwidth > 0:
            raise ValueError(f"FLL: bandwidth must be > 0 Hz, got {bandwidth!r}")
        if order not in (1, 2, 4):
            raise ValueError(f"FLL: order must be 1, 2 or 4, got {order!r}")
        self.bandwidth, self.order, self.frequency = float(bandwidth), int(order), 0.0

    def start(self, rate):
        self._rate = rate
        self._gain = np.float32(1 - math.exp(-2 * math.pi * self.bandwidth / rate))
        self._state = np.zeros(4)

    def work(self, x):
        out = self.buffer(len(x), np.complex64)
        frequency_loop(x, self._gain, self.order, self._state, out)
        self.frequency = self._state[1] * self._rate / (2 * math.pi)
        return out
