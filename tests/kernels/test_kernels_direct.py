"""The kernels no block test reaches directly, each against its numpy/scipy reference, fed in
uneven pieces where it carries state."""
import numpy as np
import pytest
from scipy import signal

from sdrflow.kernels.arith import conjugate, mag_squared, offset
from sdrflow.kernels.convert import (c64_to_int_iq, c64_to_mag_phase, c64_to_parts, f32_to_i16,
                                     i16_to_f32, int_iq_to_c64, mag_phase_to_c64, parts_to_c64)
from sdrflow.kernels.demod import atan2f, magnitude
from sdrflow.kernels.fft import power
from sdrflow.kernels.fir import fir_decimate_complex
from sdrflow.kernels.iir import moving_sum, sosfilt
from sdrflow.kernels.levels import mean_square
from sdrflow.kernels.modes import CRC_TABLE, crc24
from sdrflow.kernels.nco import mix, mix_table
from sdrflow.kernels.resample import PolyphaseTiles, polyphase, resample, resample_complex

rng = np.random.default_rng(11)
PIECES = [1, 7, 300, 1, 2048, 999, 5000]


def cnoise(n):
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)


def pieces(x):
    i = 0
    for k in PIECES:
        yield x[i:i + k]
        i += k
    if i < len(x):
        yield x[i:]


def test_elementwise_kernels_equal_numpy():
    x = cnoise(4096)
    out_f, out_c = np.empty(4096, np.float32), np.empty(4096, np.complex64)
    mag_squared(x, out_f)
    np.testing.assert_allclose(out_f, np.abs(x) ** 2, rtol=1e-6)
    magnitude(x, out_f)
    np.testing.assert_allclose(out_f, np.abs(x), rtol=1e-6)
    conjugate(x, out_c)
    np.testing.assert_array_equal(out_c, np.conj(x))
    offset(x, np.complex64(0.5 - 2j), out_c)
    np.testing.assert_allclose(out_c, x + np.complex64(0.5 - 2j), rtol=1e-6)
    power(x, np.float32(0.25), out_f)
    np.testing.assert_allclose(out_f, 0.25 * np.abs(x) ** 2, rtol=1e-6)
    re, im = np.empty(4096, np.float32), np.empty(4096, np.float32)
    c64_to_parts(x, re, im)
    np.testing.assert_array_equal(re + 1j * im, x)
    parts_to_c64(re, im, out_c)
    np.testing.assert_array_equal(out_c, x)
    mag, phase = np.empty(4096, np.float32), np.empty(4096, np.float32)
    c64_to_mag_phase(x, mag, phase)
    np.testing.assert_allclose(mag, np.abs(x), rtol=1e-6)
    np.testing.assert_allclose(phase, np.angle(x), atol=1e-6)
    mag_phase_to_c64(mag, phase, out_c)
    np.testing.assert_allclose(out_c, x, rtol=1e-5, atol=1e-6)


def test_atan2f_is_within_its_stated_error_everywhere():
    angles = np.linspace(-np.pi, np.pi, 20001)
    for r in (1e-3, 1.0, 1e3):
        got = np.array([atan2f(np.float32(r * np.sin(a)), np.float32(r * np.cos(a))) for a in angles])
        err = np.angle(np.exp(1j * (got - angles)))
        assert np.max(np.abs(err)) < 1e-6
    assert atan2f(np.float32(0), np.float32(0)) == 0


def test_integer_conversions_equal_numpy():
    x = (rng.standard_normal(2000) * 0.4).astype(np.float32)
    i16 = np.empty(2000, np.int16)
    f32_to_i16(x, np.float32(32767), i16)
    np.testing.assert_array_equal(i16, np.clip(np.rint(x * 32767), -32768, 32767))
    back = np.empty(2000, np.float32)
    i16_to_f32(i16, np.float32(32767), back)  # divides by the scale
    np.testing.assert_allclose(back, i16 / 32767, rtol=1e-6)
    raw = rng.integers(-128, 128, 4000).astype(np.int8)
    c = np.empty(2000, np.complex64)
    int_iq_to_c64(raw, np.float32(128), c)
    np.testing.assert_allclose(c, (raw[0::2] + 1j * raw[1::2]) / 128, rtol=1e-6)
    z = cnoise(2000) * np.float32(0.3)
    u8 = np.empty(4000, np.uint8)
    c64_to_int_iq(z, np.float32(127.5), np.float32(127.5), np.float32(0), np.float32(255), u8)
    iq = np.empty(4000)
    iq[0::2], iq[1::2] = z.real, z.imag
    np.testing.assert_array_equal(u8, np.clip(np.rint(iq * 127.5 + 127.5), 0, 255))


def test_sosfilt_equals_scipy_across_pieces():
    sos = signal.butter(6, 0.1, output="sos")
    x = rng.standard_normal(9000).astype(np.float32)
    zi = np.zeros((len(sos), 2))
    out = [np.empty(len(p), np.float32) for p in pieces(x)]
    for p, o in zip(pieces(x), out):
        sosfilt(p, sos, zi, o)
    np.testing.assert_allclose(np.concatenate(out), signal.sosfilt(sos, x), rtol=1e-5, atol=1e-6)


def test_moving_sum_equals_a_convolution():
    x = cnoise(9000)
    ring, index, acc = np.zeros(25, np.complex128), np.zeros(1, np.intp), np.zeros(1, np.complex128)
    out = []
    for p in pieces(x):
        o = np.empty(len(p), np.complex64)
        moving_sum(p, ring, index, acc, o)
        out.append(o)
    np.testing.assert_allclose(np.concatenate(out), np.convolve(x, np.ones(25))[:len(x)],
                               rtol=1e-5, atol=1e-5)


def test_mean_square_is_a_one_pole_average_of_power():
    x = cnoise(3000)
    state = np.zeros(1)
    mean_square(x, np.float32(0.01), state)
    y = signal.lfilter([0.01], [1, -0.99], np.abs(x.astype(np.complex128)) ** 2)
    assert state[0] == pytest.approx(y[-1], rel=1e-4)


def test_mix_equals_a_complex_exponential_without_drift():
    x = cnoise(100_000)
    step = 0.123456789
    phase = np.zeros(1)
    out = []
    for p in pieces(x):
        o = np.empty(len(p), np.complex64)
        mix(p, step, phase, mix_table(step), o)
        out.append(o)
    n = np.arange(len(x))
    np.testing.assert_allclose(np.concatenate(out), x * np.exp(2j * np.pi * step * n), atol=2e-5)


@pytest.mark.parametrize("p, q", [(2, 5), (3, 2), (5, 6), (4, 1), (1, 4)])
def test_polyphase_tiles_both_dtypes_equal_upfirdn(p, q):
    taps = signal.firwin(12 * max(p, q) + 3, 0.8 / max(p, q)).astype(np.float32) * p
    for x in (rng.standard_normal(6000).astype(np.float32), cnoise(6000)):
        tiles = PolyphaseTiles(taps, p, q, x.dtype)
        got = np.concatenate([tiles.process(part, lambda n: np.empty(n, x.dtype)) for part in pieces(x)])
        ref = signal.upfirdn(taps, x, p, q)
        assert got.dtype == x.dtype and len(got) > len(x) * p // q - len(taps)
        np.testing.assert_allclose(got, ref[:len(got)], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("p, q", [(2, 5), (3, 2), (1, 4), (160, 147)])
def test_resample_both_dtypes_equal_upfirdn(p, q):
    taps = signal.firwin(24 * max(p, q) + 1, 0.8 / max(p, q)).astype(np.float32) * p
    poly = polyphase(taps, p).astype(np.float32)
    for x, kernel in ((rng.standard_normal(6000).astype(np.float32), resample), (cnoise(6000), resample_complex)):
        hist = np.zeros(poly.shape[1] - 1, x.dtype)
        state = np.zeros(1, np.intp)
        got = []
        for part in pieces(x):
            o = np.empty(len(part) * p // q + 2, x.dtype)
            got.append(o[:kernel(part, poly, q, hist, state, o)].copy())
        got = np.concatenate(got)
        ref = signal.upfirdn(taps, x, p, q)
        assert len(got) == -(-len(x) * p // q)
        np.testing.assert_allclose(got, ref[:len(got)], rtol=1e-4, atol=1e-5)


def test_fir_decimate_complex_equals_upfirdn():
    taps = (signal.firwin(63, 0.2) * np.exp(1j * 0.3 * np.arange(63))).astype(np.complex64)
    x = cnoise(8000)
    hist, state = np.zeros(62, np.complex64), np.zeros(1, np.intp)
    got = []
    for part in pieces(x):
        o = np.empty(len(part) // 3 + 1, np.complex64)
        got.append(o[:fir_decimate_complex(part, np.ascontiguousarray(taps[::-1]), 3, hist, state, o)].copy())
    got = np.concatenate(got)
    np.testing.assert_allclose(got, signal.upfirdn(taps, x, 1, 3)[:len(got)], rtol=1e-4, atol=1e-5)
    assert len(got) == -(-len(x) // 3)


def test_crc24_equals_the_bitwise_definition():
    def slow(data):
        c = 0
        for byte in data:
            for k in range(8):
                bit = (byte >> (7 - k)) & 1
                top = (c >> 23) & 1
                c = ((c << 1) & 0xFFFFFF) ^ (0xFFF409 if top ^ bit else 0)
        return c

    for n in (7, 11):
        data = rng.integers(0, 256, 14).astype(np.uint8)
        assert crc24(data, n, CRC_TABLE) == slow(bytes(data[:n]))
