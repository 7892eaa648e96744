import math

import numpy as np

from sdrflow.block import FLOAT32, Block, Port
from sdrflow.design import complex_bandpass
from sdrflow.kernels.demod import stereo_matrix
from sdrflow.kernels.fir import fir_decimate
from sdrflow.kernels.sync import hold_phasor, loop_gains, phase_loop


class StereoDecoder(Block):
    """FM stereo multiplex to left and right (before de-emphasis and the 15 kHz filter).

    The 19 kHz pilot is taken out with a one-sided band-pass, kept at about 30 kHz (one output
    in eight at 240 kHz) and tracked there by a PLL; its phase, carried on at 19 kHz between PLL
    samples and doubled, demodulates L−R from 38 kHz. (The band-pass is a low-pass shifted to 19 kHz with its
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
    cost = 15.0

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
        # PLL: 4 kHz transitions. Complex taps on the real multiplex give the pilot alone, and as
        # the pilot is one-sided and narrow they keep one output in D (at 240 kHz, every 8th:
        # 30 kHz, where it sits alone at 19 − 30 = −11 kHz). The PLL runs at that rate.
        taps = complex_bandpass(18.5e3, 19.5e3, rate, 4e3)
        self._D = D = max(1, int(rate // 30e3))
        self._taps_rev = np.ascontiguousarray(taps[::-1]).astype(np.complex64)
        self._hist = np.zeros(len(taps) - 1, np.float32)
        self._state = np.zeros(1, np.intp)
        slow = rate / D
        alpha, beta = loop_gains(self.pilot_bandwidth, slow)
        self._alpha, self._beta = np.float32(alpha), np.float32(beta)
        # 19 kHz in radians per PLL sample, wrapped to (−π, π], and ±100 Hz around it.
        w0 = math.remainder(2 * math.pi * 19e3 / slow, 2 * math.pi)
        dw = 2 * math.pi * 100 / slow
        self._w0 = w0
        self._fmin, self._fmax = np.float32(w0 - dw), np.float32(w0 + dw)
        self._loop = np.array([0.0, w0])
        # Between PLL samples the phase advances at 19 kHz (a station's pilot is within ±2 Hz
        # of it: under 4·10⁻⁴ rad over the 7 samples carried, far below what separation needs).
        self._steps = np.exp(2j * np.pi * 19e3 / rate * np.arange(D)).astype(np.complex64)
        self._before = np.complex64(1.0)
        self._slow = slow

    def work(self, mpx):
        n = len(mpx)
        first = int(self._state[0])  # where this call's first PLL sample falls
        cap = n // self._D + 1
        pilot = self.scratch(cap, np.complex64, key="pilot")
        k = fir_decimate(mpx, self._taps_rev, self._D, self._hist, self._state, pilot)
        pilot = pilot[:k]
        derotated = self.scratch(cap, np.complex64, key="derot")[:k]
        zs = self.scratch(cap, np.complex64, key="zs")[:k]
        phase_loop(pilot, self._alpha, self._beta, self._fmin, self._fmax, 0, self._loop, derotated, zs)
        ref = self.scratch(n, np.complex64, key="ref")
        hold_phasor(zs, self._before, first, self._steps, ref)
        if k:
            self._before = zs[k - 1]
        self.pilot_locked = abs((self._loop[1] - self._w0) * self._slow / (2 * math.pi)) < 10
        left, right = self.buffer(n, np.float32), self.buffer(n, np.float32)
        stereo_matrix(mpx, ref, left, right)
        return left, right
