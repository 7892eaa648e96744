"""Signal simulation: modulated carriers and receiver quantisation."""
import math


from ._jit import kernel


@kernel(["void(int64, float64, float64[::1], float64[::1], float64[::1], float64, float64, "
         "float32, complex64[::1])"])
def fm_tones(start, rate, freqs, amps, phases, deviation, offset, amplitude, out):
    """A carrier at ``offset`` Hz, frequency-modulated by Σ amps·sin(2π·freqs·t + phases).

    The phase is integrated in closed form from the absolute sample index ``start``, so any
    split into chunks gives the same samples:
    ``φ(t) = 2π·offset·t + deviation·Σ_i amps_i·(cos(phases_i) − cos(2π·freqs_i·t + phases_i)) / freqs_i``.
    """
    for i in range(out.shape[0]):
        t = (start + i) / rate
        ph = 2.0 * math.pi * ((offset * t) % 1.0)
        for k in range(freqs.shape[0]):
            cyc = (freqs[k] * t) % 1.0
            ph += deviation * amps[k] * (math.cos(phases[k]) - math.cos(2.0 * math.pi * cyc + phases[k])) / freqs[k]
        out[i] = complex(amplitude * math.cos(ph), amplitude * math.sin(ph))


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
