"""Signal simulation: modulated carriers and receiver quantisation."""
import math

import numpy as np

from ._jit import kernel

#: Samples between exactly computed tone phasors in ``fm_tones``.
_BLOCK = 256


def tone_steps(rate, freqs):
    """The step table of ``fm_tones``: ``exp(j·2π·freqs[k]·m/rate)`` for m < ``_BLOCK``, in
    double precision; made once for a station."""
    m = np.arange(_BLOCK)
    return np.exp(2j * np.pi * ((np.outer(freqs, m) / rate) % 1.0))


@kernel(["void(int64, float64, float64[::1], float64[::1], float64[::1], complex128[:, ::1], "
         "float64, float64, float32, complex64[::1])"])
def fm_tones(start, rate, freqs, amps, phases, steps, deviation, offset, amplitude, out):
    """A carrier at ``offset`` Hz, frequency-modulated by Σ amps·sin(2π·freqs·t + phases).

    The phase is integrated in closed form from the absolute sample index ``start``, so any
    split into chunks gives the same samples:
    ``φ(t) = 2π·offset·t + deviation·Σ_i amps_i·(cos(phases_i) − cos(2π·freqs_i·t + phases_i)) / freqs_i``.
    Each tone's cosine is the real part of a phasor computed exactly (cos, sin in double
    precision) at every multiple of ``_BLOCK`` samples, times ``steps`` (``tone_steps``): a
    function of the sample index alone, whatever the chunking, and one complex product a tone
    and sample instead of a cosine.
    """
    tones = freqs.shape[0]
    coef = np.empty(tones)
    base = 0.0
    for k in range(tones):
        coef[k] = deviation * amps[k] / freqs[k]
        base += coef[k] * math.cos(phases[k])
    seeds = np.empty(tones, np.complex128)
    n = out.shape[0]
    i = 0
    while i < n:
        index = start + i
        block = index - index % _BLOCK
        for k in range(tones):  # the tone's phasor at the block's first sample, exactly
            a = 2.0 * math.pi * ((freqs[k] * block / rate) % 1.0) + phases[k]
            seeds[k] = complex(math.cos(a), math.sin(a))
        stop = min(n, i + _BLOCK - index % _BLOCK)
        for m in range(i, stop):
            j = (start + m) % _BLOCK
            t = (start + m) / rate
            ph = 2.0 * math.pi * ((offset * t) % 1.0) + base
            for k in range(tones):
                s, w = seeds[k], steps[k, j]
                ph -= coef[k] * (s.real * w.real - s.imag * w.imag)
            out[m] = complex(amplitude * math.cos(ph), amplitude * math.sin(ph))
        i = stop


@kernel(["void(float32[::1], float32, float32[::1])"])
def quantize_u8(x, scale, out):
    """Round to the 8-bit grid of an RTL-SDR and back: ``round(x·scale + scale)`` clipped to
    0…255, then ``(q − scale) / scale`` (scale = 127.5 for cu8)."""
    for i in range(x.shape[0]):
        q = math.floor(x[i] * scale + scale + 0.5)
        if q < 0.0:
            q = 0.0
        elif q > 255.0:
            q = 255.0
        out[i] = (q - scale) / scale


@kernel(["void(int64, float64, int8[::1], float64, float64, complex64[::1])"])
def rds_rotate(start, rate, chips, deviation, theta, out):
    """Adds an RDS subcarrier to an FM signal ``out`` (in place): the multiplex gains
    ``c(t)·cos(2π·57000·t + theta)``, ``c`` the ±1 biphase chips (2375 a second, ``chips``
    repeated), at a peak deviation of ``deviation`` Hz.

    A chip lasts 24 whole cycles of the subcarrier, so its phase integral comes back to zero
    at every chip boundary and the FM phase is in closed form from the absolute sample index
    (any chunking gives the same samples):
    ``φ(t) = deviation · c(t) · (sin(2π·57000·t + theta) − sin(theta)) / 57000``."""
    period = chips.shape[0]
    s0 = math.sin(theta)
    k = deviation / 57000.0
    for m in range(out.shape[0]):
        i = start + m
        c = chips[int(math.floor(i * 2375.0 / rate)) % period]
        ph = k * c * (math.sin(2.0 * math.pi * ((57000.0 * i / rate) % 1.0) + theta) - s0)
        co, si = math.cos(ph), math.sin(ph)
        z = out[m]
        out[m] = complex(z.real * co - z.imag * si, z.real * si + z.imag * co)
