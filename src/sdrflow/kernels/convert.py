"""Sample format conversions."""
import math

import numpy as np

from ._jit import kernel


@kernel(["void(uint8[::1], complex64[::1], complex64[::1])"])
def u8_to_c64(raw, lut, out):
    """Interleaved unsigned 8-bit I/Q to complex64 through a 256-entry table of I values.

    ``lut[b]`` holds the real value of byte b; ``out[n] = lut[raw[2n]] + j·lut[raw[2n+1]]``."""
    for i in range(out.shape[0]):
        out[i] = complex(lut[raw[2 * i]].real, lut[raw[2 * i + 1]].real)


def u8_table(offset=127.5, scale=127.5):
    """The cu8 convention sdrflow uses: (b − 127.5) / 127.5, as pyrtlsdr does."""
    return ((np.arange(256) - offset) / scale).astype(np.complex64)


@kernel(["intp(float32[::1], float32[::1], float32, int16[::1])"])
def pcm16(left, right, scale, out):
    """Float to 16-bit PCM: ``round(x·scale)`` clipped to the int16 range, the two channels
    interleaved (left, right, left, …) when ``right`` is not empty (FloatToInt16, PCMSink). Returns how many samples
    were clipped (|x·scale| > 32767)."""
    stereo = right.shape[0] > 0
    step = 2 if stereo else 1
    clipped = 0
    for c in range(step):
        x = right if c == 1 else left
        for i in range(x.shape[0]):
            v = x[i] * scale
            if v > 32767.0 or v < -32767.0:
                clipped += 1
                v = min(max(v, np.float32(-32768.0)), np.float32(32767.0))
            out[step * i + c] = np.int16(round(v))
    return clipped


@kernel(["void(int16[::1], float32, float32[::1])"])
def i16_to_f32(x, scale, out):
    """out[n] = x[n] / scale."""
    inv = np.float32(1.0) / scale
    for i in range(x.shape[0]):
        out[i] = x[i] * inv


@kernel(["void(int8[::1], float32, complex64[::1])", "void(int16[::1], float32, complex64[::1])"])
def int_iq_to_c64(raw, scale, out):
    """Interleaved signed I/Q to complex64: ``out[n] = (raw[2n] + j·raw[2n+1]) / scale``."""
    inv = np.float32(1.0) / scale
    for i in range(out.shape[0]):
        out[i] = complex(raw[2 * i] * inv, raw[2 * i + 1] * inv)


@kernel(["void(complex64[::1], float32, float32, float32, float32, uint8[::1])",
         "void(complex64[::1], float32, float32, float32, float32, int8[::1])",
         "void(complex64[::1], float32, float32, float32, float32, int16[::1])"])
def c64_to_int_iq(x, scale, offset, low, high, out):
    """complex64 to interleaved integer I/Q: ``round(v·scale + offset)`` clipped to [low, high]."""
    for i in range(x.shape[0]):
        for k in range(2):
            v = (x[i].real if k == 0 else x[i].imag) * scale + offset
            v = math.floor(v + np.float32(0.5))
            if v < low:
                v = low
            elif v > high:
                v = high
            out[2 * i + k] = v


@kernel(["void(complex64[::1], float32[::1], float32[::1])"])
def c64_to_parts(x, re, im):
    """Split complex64 into its real and imaginary parts."""
    for i in range(x.shape[0]):
        re[i] = x[i].real
        im[i] = x[i].imag


@kernel(["void(float32[::1], float32[::1], complex64[::1])"])
def parts_to_c64(re, im, out):
    """Join real and imaginary parts into complex64."""
    for i in range(out.shape[0]):
        out[i] = complex(re[i], im[i])


@kernel(["void(complex64[::1], float32[::1], float32[::1])"], fastmath={"contract"})
def c64_to_mag_phase(x, mag, phase):
    """|x| and arg(x) in (−π, π]."""
    for i in range(x.shape[0]):
        v = x[i]
        mag[i] = math.sqrt(v.real * v.real + v.imag * v.imag)
        phase[i] = math.atan2(v.imag, v.real)


@kernel(["void(float32[::1], float32[::1], complex64[::1])"], fastmath={"contract"})
def mag_phase_to_c64(mag, phase, out):
    """out[n] = mag[n] · exp(j·phase[n])."""
    for i in range(out.shape[0]):
        out[i] = complex(mag[i] * math.cos(phase[i]), mag[i] * math.sin(phase[i]))
