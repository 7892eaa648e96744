"""Kernels against numpy/scipy references, seeded random input, float32 tolerance."""
import numpy as np
import pytest
from scipy import signal

from sdrflow.kernels.arith import scale
from sdrflow.kernels.convert import u8_table, u8_to_c64
from sdrflow.kernels.demod import fm_discriminate
from sdrflow.kernels.fir import fir_decimate
from sdrflow.kernels.iir import one_pole
from sdrflow.kernels.nco import tone, tone_real
from sdrflow.kernels.sim import quantize_u8

rng = np.random.default_rng(7)


def cnoise(n):
    return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)


def run_fir(kernel, x, taps, decimation, pieces):
    hist = np.zeros(len(taps) - 1, x.dtype)
    state = np.zeros(1, np.intp)
    taps_rev = np.ascontiguousarray(taps[::-1])
    outs, i = [], 0
    for k in pieces:
        part = x[i:i + k]
        i += k
        out = np.empty(len(part) // decimation + 1, x.dtype)
        outs.append(out[:kernel(part, taps_rev, decimation, hist, state, out)].copy())
    return np.concatenate(outs)


@pytest.mark.parametrize("decimation", [1, 2, 10])
@pytest.mark.parametrize("num_taps", [1, 5, 64, 129])
def test_fir_decimate_matches_upfirdn(decimation, num_taps):
    x = cnoise(20_000)
    taps = signal.firwin(num_taps, 0.3).astype(np.float32) if num_taps > 1 else np.ones(1, np.float32)
    pieces = list(rng.integers(1, 3000, 40))
    y = run_fir(fir_decimate, x, taps, decimation, pieces)
    ref = signal.upfirdn(taps.astype(np.float64), x.astype(np.complex128), 1, decimation)[:len(y)]
    assert len(y) == -(-len(x) // decimation)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_fir_same_type_matches_lfilter(dtype):
    x = cnoise(10_000) if dtype == np.complex64 else rng.standard_normal(10_000).astype(np.float32)
    taps = signal.firwin(33, 0.2).astype(np.float32)
    if dtype == np.complex64:
        taps = (taps * np.exp(1j * 0.3 * np.arange(33))).astype(np.complex64)
    y = run_fir(fir_decimate, x, taps, 1, [1, 2, 3, 5000, 4994])
    np.testing.assert_allclose(y, signal.lfilter(taps, 1, x), rtol=1e-5, atol=1e-5)


def test_fm_discriminate_matches_angle_of_lagged_product():
    x = cnoise(5000)
    prev = np.ones(1, np.complex64)
    out = np.empty(5000, np.float32)
    fm_discriminate(x[:1234], np.float32(2.0), prev, out[:1234])
    fm_discriminate(x[1234:], np.float32(2.0), prev, out[1234:])
    lagged = np.concatenate([[1], x[:-1]])
    np.testing.assert_allclose(out, 2 * np.angle(x * np.conj(lagged)), rtol=1e-5, atol=2e-6)


def test_one_pole_matches_lfilter():
    x = rng.standard_normal(4000).astype(np.float32)
    b0, a1 = 0.2, -0.8
    state = np.zeros(2, np.float32)
    out = np.empty_like(x)
    one_pole(x[:1000], np.float32(b0), np.float32(b0), np.float32(a1), state, out[:1000])
    one_pole(x[1000:], np.float32(b0), np.float32(b0), np.float32(a1), state, out[1000:])
    np.testing.assert_allclose(out, signal.lfilter([b0, b0], [1, a1], x), rtol=1e-4, atol=1e-5)


def test_scale_matches_numpy():
    x = cnoise(1000)
    out = np.empty_like(x)
    scale(x, np.complex64(2 - 1j), out)
    np.testing.assert_allclose(out, x * (2 - 1j), rtol=1e-6)


def test_u8_to_c64_uses_the_documented_convention():
    raw = rng.integers(0, 256, 2000, dtype=np.uint8)
    out = np.empty(1000, np.complex64)
    u8_to_c64(raw, u8_table(), out)
    ref = (raw[0::2] - 127.5) / 127.5 + 1j * (raw[1::2] - 127.5) / 127.5
    np.testing.assert_allclose(out, ref, rtol=1e-6)


def test_tone_is_phase_continuous_and_matches_exp():
    phase = np.zeros(1)
    out = np.empty(1000, np.complex64)
    step = 0.0123
    tone(step, np.float32(0.5), phase, out[:333])
    tone(step, np.float32(0.5), phase, out[333:])
    np.testing.assert_allclose(out, 0.5 * np.exp(2j * np.pi * step * np.arange(1000)), atol=2e-6)
    real = np.empty(100, np.float32)
    tone_real(0.1, np.float32(1.0), np.zeros(1), real)
    np.testing.assert_allclose(real, np.cos(2 * np.pi * 0.1 * np.arange(100)), atol=2e-6)


def test_quantize_u8_rounds_to_the_cu8_grid():
    x = np.linspace(-1.2, 1.2, 1001).astype(np.float32)
    out = np.empty_like(x)
    quantize_u8(x, np.float32(127.5), out)
    q = np.clip(np.floor(x.astype(np.float64) * 127.5 + 128.0), 0, 255)
    np.testing.assert_allclose(out, (q - 127.5) / 127.5, atol=1e-6)


@pytest.mark.parametrize("num_taps", [1, 7, 8, 64, 77])
@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_tiled_fir_matches_lfilter(num_taps, dtype):
    from sdrflow.kernels.fir import fir
    x = cnoise(3000) if dtype == np.complex64 else rng.standard_normal(3000).astype(np.float32)
    taps = rng.standard_normal(num_taps).astype(np.float32)
    out = np.empty(3000 - num_taps + 1, dtype)
    fir(x.view(np.float32), taps[::-1].copy(), 2 if dtype == np.complex64 else 1, out.view(np.float32))
    np.testing.assert_allclose(out, signal.lfilter(taps, 1, x)[num_taps - 1:], rtol=1e-4, atol=1e-4)


def test_db_in_place_matches_log10_to_1e5_db():
    from sdrflow.kernels.fft import db_in_place
    p = np.concatenate([10 ** rng.uniform(-30, 30, 10_000), [0.0, 1.0, 2.0, 0.5]]).astype(np.float32)
    out = p.copy()
    db_in_place(out, np.float32(1e-30))
    np.testing.assert_allclose(out, 10 * np.log10(np.maximum(p.astype(np.float64), 1e-30)), atol=2e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_in_place_arithmetic_equals_numpy(dtype):
    from sdrflow.kernels.arith import offset_in_place, scale_in_place

    x = (cnoise(1001) if dtype == np.complex64 else rng.standard_normal(1001)).astype(dtype)
    c = dtype(0.5 - 0.25j) if dtype == np.complex64 else dtype(-1.5)
    y = x.copy()
    scale_in_place(y, c)
    np.testing.assert_allclose(y, x * c, rtol=1e-6)
    y = x.copy()
    offset_in_place(y, c)
    np.testing.assert_allclose(y, x + c, rtol=1e-6)


def test_scale_by_a_real_factor_equals_the_complex_product():
    from sdrflow.kernels.arith import scale_real, scale_real_in_place

    x = cnoise(1001).astype(np.complex64)
    want = x * np.complex64(-0.7)
    y = np.empty_like(x)
    scale_real(x, np.float32(-0.7), y)
    np.testing.assert_array_equal(y, want)
    scale_real_in_place(x, np.float32(-0.7))
    np.testing.assert_array_equal(x, want)


def test_pcm16_equals_numpy_round_clip_and_interleave():
    from sdrflow.kernels.convert import pcm16

    left = (rng.standard_normal(999) * 0.6).astype(np.float32)   # some beyond ±1: clipped
    right = (rng.standard_normal(999) * 0.6).astype(np.float32)
    left[:3] = [0.5 / 32767, 1.5 / 32767, -2.5 / 32767]  # halves round to even, as np.rint
    ref = lambda x: np.clip(np.rint(x * np.float32(32767)), -32768, 32767).astype(np.int16)  # noqa: E731
    out = np.empty(999, np.int16)
    clipped = pcm16(left, np.zeros(0, np.float32), np.float32(32767), out)
    np.testing.assert_array_equal(out, ref(left))
    assert clipped == np.count_nonzero(np.abs(left * np.float32(32767)) > 32767) > 0
    out = np.empty(2 * 999, np.int16)
    clipped = pcm16(left, right, np.float32(32767), out)
    np.testing.assert_array_equal(out, np.stack([ref(left), ref(right)], axis=1).ravel())
    assert clipped == np.count_nonzero(np.abs(np.concatenate([left, right]) * np.float32(32767)) > 32767)


def test_one_pole_in_place_equals_lfilter():
    x = rng.standard_normal(2000).astype(np.float32)
    ref = signal.lfilter([0.2, 0.2], [1, -0.6], x)
    y, state = x.copy(), np.zeros(2, np.float32)
    for a, b in [(0, 700), (700, 701), (701, 2000)]:
        part = y[a:b]
        one_pole(part, np.float32(0.2), np.float32(0.2), np.float32(-0.6), state, part)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


def test_fir_decimate_complex_taps_on_a_real_stream_match_upfirdn():
    x = rng.standard_normal(20_000).astype(np.float32)
    taps = (signal.firwin(65, 0.05) * np.exp(0.5j * np.arange(65))).astype(np.complex64)
    y = run_fir_out(x, taps, 8, list(rng.integers(1, 3000, 20)))
    ref = signal.upfirdn(taps.astype(np.complex128), x.astype(np.float64), 1, 8)[:len(y)]
    assert len(y) == -(-len(x) // 8)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


def run_fir_out(x, taps, decimation, pieces):
    """run_fir for a real stream and complex taps (complex output)."""
    hist, state = np.zeros(len(taps) - 1, np.float32), np.zeros(1, np.intp)
    taps_rev = np.ascontiguousarray(taps[::-1])
    outs, i = [], 0
    for k in pieces + [len(x)]:
        part = x[i:i + k]
        i += len(part)
        out = np.empty(len(part) // decimation + 1, np.complex64)
        outs.append(out[:fir_decimate(part, taps_rev, decimation, hist, state, out)].copy())
    return np.concatenate(outs)
