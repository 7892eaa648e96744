"""Level estimation and control: AGC, squelch, RMS."""

import numpy as np

from ._jit import kernel


@kernel(["void(complex64[::1], float32, float32, float32, float32, float32[::1], complex64[::1])",
         "void(float32[::1], float32, float32, float32, float32, float32[::1], float32[::1])"])
def agc(x, reference, attack, decay, max_gain, level, out):
    """Automatic gain control: ``level`` follows |x| (weight ``attack`` when |x| is above it,
    ``decay`` when below) and ``out = x · min(reference / level, max_gain)``."""
    lv = level[0]
    for i in range(x.shape[0]):
        m = abs(x[i])
        lv += (attack if m > lv else decay) * (m - lv)
        g = reference / lv if lv * max_gain > reference else max_gain
        out[i] = x[i] * g
    level[0] = lv


@kernel(["intp(complex64[::1], float32, float32, float32, float32[::1], intp[::1], float32[::1])",
         "intp(float32[::1], float32, float32, float32, float32[::1], intp[::1], float32[::1])"])
def squelch(x, alpha, open_level, close_level, state, changes, power):
    """Power squelch with hysteresis. ``power[n]`` is the smoothed |x|² (one pole, weight
    ``alpha``); the gate opens when it rises above ``open_level`` and closes when it falls
    below ``close_level``. ``state`` = [power, open (0/1)]. The indices where the gate changes
    go to ``changes``; returns how many."""
    p = state[0]
    is_open = state[1] > 0.5
    k = 0
    for i in range(x.shape[0]):
        v = x[i]
        p += alpha * ((v * np.conj(v)).real - p)
        power[i] = p
        if not is_open and p > open_level:
            is_open = True
            changes[k] = i
            k += 1
        elif is_open and p < close_level:
            is_open = False
            changes[k] = i
            k += 1
    state[0] = p
    state[1] = 1.0 if is_open else 0.0
    return k


@kernel(["void(complex64[::1], float32, float64[::1])", "void(float32[::1], float32, float64[::1])"])
def mean_square(x, alpha, state):
    """One-pole average of |x|² with weight ``alpha`` per item, in ``state[0]``."""
    p = state[0]
    for i in range(x.shape[0]):
        v = x[i]
        p += alpha * ((v * np.conj(v)).real - p)
    state[0] = p
