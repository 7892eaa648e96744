import math

import numpy as np

from sdrflow.block import FLOAT32, Block, Port
from sdrflow.design import complex_bandpass
from sdrflow.kernels.demod import stereo_matrix
from sdrflow.kernels.fir import fir
from sdrflow.kernels.sync import loop_gains, phase_loop


class StereoDecoder(Block):
    """FM stereo multiplex to left and right (before de-emphasis and the 15 kHz filter).

    The 19 kHz pilot is taken out with a one-sided band-pass and tracked by a PLL; its doubled
    phase demodulates L−R from 38 kHz. (The band-pass is a low-pass shifted to 19 kHz with its
    taps counted from 0, so at 19 kHz it passes the pilot with no phase shift: the regenerated
    carrier lines up with the multiplex without delaying it.) ``left = mpx·(1 + 2cos 2θ)``,
    ``right = mpx·(1 − 2cos 2θ)``; low-pass both at 15 kHz afterwards. ``pilot_locked`` tells
    whether the PLL sits on 19 kHz.

    Signature: float32 -> float32 (left), float32 (right)

    Parameters
    ----------
    pilot_bandwidth : float
        PLL loop bandwidth in Hz.

    Example: ``StereoDecoder()`` after an FMDemod at 240 kHz.
    """

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("left", FLOAT32), Port("right", FLOAT32)]
    cost = 60.0

    def __init__(self, pilot_bandwidth: float = 20.0):
        if not pilot_bandwidth > 0:
            raise ValueError(f"StereoDecoder: pilot_bandwidth must be > 0 Hz, got {pilot_bandwidth!r}")
        self.pilot_bandwidth = float(pilot_bandwidth)
        self.pilot_locked = False

    def start(self, rate):
        if rate < 2 * 53e3:
            raise ValueError(f"StereoDecoder: the multiplex reaches 53 kHz; {rate:g} Hz is too slow "
                             f"(use ≥ 120 kHz, e.g. 240 kHz)")
        # The pilot's band-pass only has to keep L+R (≤ 15 kHz) and L−R (≥ 23 kHz) out of the
        # PLL: 4 kHz transitions. Complex taps on the real multiplex are two real FIRs.
        taps = complex_bandpass(18.5e3, 19.5e3, rate, 4e3)
        self._re_rev = np.ascontiguousarray(taps.real[::-1]).astype(np.float32)
        self._im_rev = np.ascontiguousarray(taps.imag[::-1]).astype(np.float32)
        self._hist = np.zeros(len(taps) - 1, np.float32)
        alpha, beta = loop_gains(self.pilot_bandwidth, rate)
        self._alpha, self._beta = np.float32(alpha), np.float32(beta)
        w = 2 * math.pi / rate
        self._fmin, self._fmax = np.float32(18.9e3 * w), np.float32(19.1e3 * w)
        self._loop = np.array([0.0, 19e3 * w])
        self._rate = rate

    def work(self, mpx):
        n, m = len(mpx), len(self._hist)
        joined = self.scratch(m + n, np.float32, key="joined")
        joined[:m] = self._hist
        joined[m:] = mpx
        self._hist[:] = joined[n:]
        pilot = self.scratch(n, np.complex64, key="pilot")
        part = self.scratch(n, np.float32, key="part")
        fir(joined, self._re_rev, 1, part)
        pilot.real = part
        fir(joined, self._im_rev, 1, part)
        pilot.imag = part
        derotated = self.scratch(n, np.complex64, key="derot")
        ref = self.scratch(n, np.complex64, key="ref")
        phase_loop(pilot, self._alpha, self._beta, self._fmin, self._fmax, 0, self._loop, derotated, ref)
        self.pilot_locked = abs(self._loop[1] * self._rate / (2 * math.pi) - 19e3) < 10
        left, right = self.buffer(n, np.float32), self.buffer(n, np.float32)
        stereo_matrix(mpx, ref, left, right)
        return left, right
