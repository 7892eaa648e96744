"""Sample format conversions."""
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


@kernel(["void(float32[::1], float32, int16[::1])"])
def f32_to_i16(x, scale, out):
    """out[n] = round(x[n]·scale), clipped to the int16 range."""
    for i in range(x.shape[0]):
        v = x[i] * scale
        if v > 32767.0:
            v = 32767.0
        elif v < -32768.0:
            v = -32768.0
        out[i] = np.int16(round(v))


@kernel(["void(int16[::1], float32, float32[::1])"])
def i16_to_f32(x, scale, out):
    """out[n] = x[n] / scale."""
    inv = np.float32(1.0) / scale
    for i in range(x.shape[0]):
        out[i] = x[i] * inv
