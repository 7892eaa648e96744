"""Synchronisation loops: carrier PLL, Costas loop, FLL and symbol timing recovery.

The phase loops share one second-order loop filter (proportional ``alpha``, integral
``beta``), with the gains from ``loop_gains``; they differ only in the phase detector."""
import math

import numpy as np

from ._jit import kernel
from .demod import atan2f


def loop_gains(bandwidth, rate, damping=math.sqrt(0.5)):
    """(alpha, beta) of a second-order loop with noise bandwidth ``bandwidth`` Hz at ``rate``
    (the usual critically damped design: ω = 2π·bandwidth/rate, d = 1 + 2ζω + ω²,
    alpha = 4ζω/d, beta = 4ω²/d)."""
    w = 2 * math.pi * bandwidth / rate
    d = 1 + 2 * damping * w + w * w
    return 4 * damping * w / d, 4 * w * w / d


@kernel(["void(complex64[::1], float32, float32, float32, float32, intp, float64[::1], "
         "complex64[::1], complex64[::1])"], fastmath={"contract"})
def phase_loop(x, alpha, beta, fmin, fmax, order, state, out, ref):
    """Track the carrier phase of ``x``: ``out = x·e^{−jφ}``, ``ref = e^{jφ}``.

    ``order`` picks the phase detector: 0 = plain carrier (PLL, error arg(out)); 2 = BPSK and
    4 = QPSK Costas (error = arg(out · conj(nearest constellation point)), which ignores the
    modulation). ``state`` = [φ (rad), frequency (rad/sample)], frequency kept in
    [fmin, fmax]."""
    phase, freq = state[0], state[1]
    for i in range(x.shape[0]):
        c, s = math.cos(phase), math.sin(phase)
        v = x[i]
        re = v.real * c + v.imag * s
        im = v.imag * c - v.real * s
        out[i] = complex(re, im)
        ref[i] = complex(c, s)
        if order == 2:
            err = atan2f(np.float32(im * (1.0 if re >= 0 else -1.0)), np.float32(abs(re)))
        elif order == 4:
            dr = 1.0 if re >= 0 else -1.0
            di = 1.0 if im >= 0 else -1.0
            # arg(y · conj(d)) with d = dr + j·di
            err = atan2f(np.float32(im * dr - re * di), np.float32(re * dr + im * di))
        else:
            err = atan2f(np.float32(im), np.float32(re))
        freq += beta * err
        freq = min(max(freq, fmin), fmax)
        phase += freq + alpha * err
        phase -= 2 * math.pi * math.floor(phase / (2 * math.pi))
    state[0], state[1] = phase, freq


@kernel(["void(complex64[::1], float32, intp, float64[::1], complex64[::1])"], fastmath={"contract"})
def frequency_loop(x, gain, order, state, out):
    """First-order FLL: ``out = x·e^{−jφ}``; the frequency moves by ``gain`` × the phase step
    between outputs (of their ``order``-th power, to strip M-PSK modulation, divided by order).
    ``state`` = [φ, frequency (rad/sample), previous output re, im]."""
    phase, freq = state[0], state[1]
    pr, pi = state[2], state[3]
    for i in range(x.shape[0]):
        c, s = math.cos(phase), math.sin(phase)
        v = x[i]
        re = v.real * c + v.imag * s
        im = v.imag * c - v.real * s
        out[i] = complex(re, im)
        # d = y[n]·conj(y[n−1]), raised to the order-th power
        dr, di = re * pr + im * pi, im * pr - re * pi
        zr, zi = dr, di
        for _ in range(order - 1):
            zr, zi = zr * dr - zi * di, zr * di + zi * dr
        if pr != 0.0 or pi != 0.0:
            freq += gain * atan2f(np.float32(zi), np.float32(zr)) / order
        pr, pi = re, im
        phase += freq
        phase -= 2 * math.pi * math.floor(phase / (2 * math.pi))
    state[0], state[1], state[2], state[3] = phase, freq, pr, pi


@kernel(["complex64(complex64[::1], float64)"], fastmath={"contract"})
def _cubic(x, t):
    """Cubic Lagrange interpolation of x at fractional position t (x[i−1 … i+2] used)."""
    i = int(math.floor(t))
    mu = t - i
    a, b, c, d = x[i - 1], x[i], x[i + 1], x[i + 2]
    # Farrow form of the 4-point Lagrange interpolator
    c0 = b
    c1 = -a / 3 - b / 2 + c - d / 6
    c2 = a / 2 - b + c / 2
    c3 = -a / 6 + b / 2 - c / 2 + d / 6
    return np.complex64(((c3 * mu + c2) * mu + c1) * mu + c0)


@kernel(["intp(complex64[::1], float64, float64, float64, intp, float64[::1], complex64[::1])"],
        fastmath={"contract"})
def symbol_sync(x, sps, alpha, beta, ted, state, out):
    """Symbol timing recovery with cubic interpolation; returns the symbols written.

    ``x`` starts with history; ``state`` = [t: position of the next strobe in x, period
    correction, power average, previous symbol re, im, previous decision re, im]. ``ted`` 0 =
    Gardner (uses the mid-point, works before carrier lock), 1 / 2 = Mueller–Müller with real
    (BPSK, FSK) or complex (QPSK) decisions, after carrier lock. The error is normalised by the average symbol power, so the loop gain does
    not depend on the signal level. Strobes stop where interpolation would run past x."""
    t, w, pw = state[0], state[1], state[2]
    prev = complex(state[3], state[4])
    dprev = complex(state[5], state[6])
    n = x.shape[0]
    count = 0
    while t + 2.0 < n and count < out.shape[0]:
        y = _cubic(x, t)
        pw += 0.01 * ((y.real * y.real + y.imag * y.imag) - pw)
        if ted == 0:
            mid = _cubic(x, t - sps / 2)
            e = ((prev.real - y.real) * mid.real + (prev.imag - y.imag) * mid.imag)
        else:
            # Mueller–Müller: Re{conj(d[k−1])·y[k] − conj(d[k])·y[k−1]}, d the decisions
            # (real ones for ted 1: BPSK, FSK; complex for ted 2: QPSK)
            d = complex(1.0 if y.real >= 0 else -1.0,
                        0.0 if ted == 1 else (1.0 if y.imag >= 0 else -1.0))
            e = (dprev.real * y.real + dprev.imag * y.imag) - (d.real * prev.real + d.imag * prev.imag)
            dprev = d
        e /= max(pw, 1e-12)
        e = min(max(e, -1.0), 1.0)
        w += beta * e
        w = min(max(w, -0.1 * sps), 0.1 * sps)
        out[count] = y
        count += 1
        prev = y
        t += sps + w + alpha * e
    state[0], state[1], state[2] = t, w, pw
    state[3], state[4] = prev.real, prev.imag
    state[5], state[6] = dprev.real, dprev.imag
    return count


@kernel(["void(complex64[::1], complex64, intp, complex64[::1], complex64[::1])"], fastmath={"contract"})
def hold_phasor(zs, before, first, steps, out):
    """A phasor at the full rate from one every D = len(steps) samples: ``zs[k]`` is e^{jφ} at
    sample first + k·D of ``out``, ``before`` the one D samples before ``first``
    (0 ≤ first < D), and ``steps[i]`` = e^{jωi} carries each on for the D − 1 samples after
    it: out[first + kD + i] = zs[k]·steps[i]."""
    D = steps.shape[0]
    n = out.shape[0]
    head = min(first, n)
    for i in range(head):
        out[i] = before * steps[i + D - first]
    for i in range(head, n):
        j = i - first
        out[i] = zs[j // D] * steps[j % D]
