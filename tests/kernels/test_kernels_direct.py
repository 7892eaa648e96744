"""Kernels against their numpy/scipy references: those no block test reaches directly, and the
level kernels, whose block tests check behaviour. Fed in uneven pieces where they carry state."""
import numpy as np
import pytest
from scipy import signal

from sdrflow.kernels.arith import conjugate, mag_squared, offset
from sdrflow.kernels.bits import differential_decode, find_sync
from sdrflow.kernels.convert import (c64_to_int_iq, c64_to_mag_phase, c64_to_parts, pcm16,
                                     i16_to_f32, int_iq_to_c64, mag_phase_to_c64, parts_to_c64)
from sdrflow.kernels.demod import atan2f, magnitude, stereo_matrix
from sdrflow.kernels.fft import average_blocks, average_exponential, power
from sdrflow.kernels.fir import fir_decimate
from sdrflow.kernels.iir import moving_sum, sosfilt
from sdrflow.kernels.levels import agc, mean_square, squelch
from sdrflow.kernels.modes import CRC_TABLE, crc24
from sdrflow.kernels.nco import mix, mix_table
from sdrflow.kernels.resample import PolyphaseTiles, polyphase, resample, resample_complex
from sdrflow.kernels.sync import (frequency_loop, hold_phasor, loop_gains, phase_loop,
                                  symbol_sync)

rng = np.random.default_rng(11)
F32 = np.float32
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
    pcm16(x, np.zeros(0, np.float32), np.float32(32767), i16)
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


@pytest.mark.parametrize("dtype", [np.complex64, np.float32])
def test_agc_level_is_a_one_pole_follower_rising_by_attack_and_falling_by_decay(dtype):
    """A step up in magnitude is followed with weight ``attack`` only, a step down with
    ``decay`` only, so each segment is a one-pole filter (scipy's lfilter); the gain is
    reference / level, capped at max_gain."""
    attack, decay, reference, max_gain = 0.02, 0.001, 1.0, 4.0
    mags = np.r_[np.full(3000, 2.0), np.full(6000, 0.1)]
    if dtype is np.complex64:
        x = (mags * np.exp(2j * np.pi * rng.random(len(mags)))).astype(dtype)
    else:
        x = (mags * rng.choice([-1.0, 1.0], len(mags))).astype(dtype)
    level, outs = np.array([0.5], np.float32), []
    for piece in pieces(x):
        out = np.empty_like(piece)
        agc(piece, F32(reference), F32(attack), F32(decay), F32(max_gain), level, out)
        outs.append(out)
    up = signal.lfilter([attack], [1, attack - 1], mags[:3000], zi=[(1 - attack) * 0.5])[0]
    down = signal.lfilter([decay], [1, decay - 1], mags[3000:], zi=[(1 - decay) * up[-1]])[0]
    ref_level = np.r_[up, down]
    gain = np.minimum(reference / ref_level, max_gain)
    np.testing.assert_allclose(np.concatenate(outs), x * gain, rtol=2e-4)
    assert level[0] == pytest.approx(ref_level[-1], rel=1e-4)


def test_squelch_power_is_a_one_pole_average_and_the_gate_has_hysteresis():
    """Bursts of loud noise in quiet noise: the smoothed power equals scipy's one-pole filter,
    and the gate opens above open_level and closes below close_level, nowhere else."""
    alpha, open_level, close_level = 0.01, 0.5, 0.2
    scale = np.r_[np.full(4000, 0.1), np.full(3000, 1.5), np.full(5000, 0.1),
                  np.full(2500, 1.2), np.full(4000, 0.1)]
    x = (cnoise(len(scale)) * scale).astype(np.complex64)
    state, powers, changes, pos = np.zeros(2, np.float32), [], [], 0
    for piece in pieces(x):
        power, idx = np.empty(len(piece), np.float32), np.empty(len(piece), np.intp)
        k = squelch(piece, F32(alpha), F32(open_level), F32(close_level), state, idx, power)
        powers.append(power)
        changes += list(idx[:k] + pos)
        pos += len(piece)
    ref = signal.lfilter([alpha], [1, alpha - 1], np.abs(x.astype(np.complex128)) ** 2)
    np.testing.assert_allclose(np.concatenate(powers), ref, rtol=1e-3, atol=1e-6)
    expected, is_open = [], False
    for i, p in enumerate(ref):
        if p > open_level if not is_open else p < close_level:
            is_open = not is_open
            expected.append(i)
    assert changes == expected and len(expected) == 4  # two bursts: open, close, open, close
    assert state[1] == 0.0 and state[0] == pytest.approx(ref[-1], rel=1e-3)


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
        got.append(o[:fir_decimate(part, np.ascontiguousarray(taps[::-1]), 3, hist, state, o)].copy())
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


def test_magnitude_2msps_equals_upfirdn_then_abs():
    from sdrflow.blocks.mode_s_demod import _to_2msps_taps
    from sdrflow.kernels.modes import magnitude_2msps

    taps = _to_2msps_taps()
    poly = polyphase(taps, 5)
    x = cnoise(12_000)
    buf, got = np.zeros(poly.shape[1] - 1, np.complex64), []  # history first, as the block keeps it
    for part in pieces(x):
        buf = np.concatenate([buf, part])
        out = np.empty(len(buf), np.float32)
        k = magnitude_2msps(buf, poly, out)
        got.append(out[:5 * k])
        buf = buf[6 * k:]
    got = np.concatenate(got)
    ref = np.abs(signal.upfirdn(taps, x, 5, 6))
    assert len(got) > 9_900
    np.testing.assert_allclose(got, ref[:len(got)], rtol=1e-4, atol=1e-5)


def test_find_frames_finds_a_clean_frame_once():
    from sdrflow.blocks.mode_s_source import ModeSSource, identification
    from sdrflow.kernels.modes import find_frames

    frame = identification(0x4D2023, "AMC421")
    noise = np.random.default_rng(11)
    mag = np.abs(0.1 * (noise.standard_normal(20_000) + 1j * noise.standard_normal(20_000))).astype(np.float32)
    mag[300:300 + 16 + 224] += ModeSSource.pulses(frame)
    cap = 20_000
    rows = np.zeros((cap, 14), np.uint8)
    positions, residuals = np.zeros(cap, np.intp), np.zeros(cap, np.uint32)
    n = find_frames(mag, len(mag) - 300, CRC_TABLE, rows, positions, residuals)
    assert n >= 2  # the noise makes candidates too
    hits = [k for k in range(n) if positions[k] == 300]
    assert len(hits) == 1  # good as sampled: no phase-corrected row
    assert bytes(rows[hits[0]]) == frame and residuals[hits[0]] == 0
    # Noise makes candidates too, but never rows of a downlink format Mode S does not have.
    assert all((rows[k, 0] >> 3) in (0, 4, 5, 11, 16, 17, 18, 20, 21, 24) for k in range(n))


def phase_corrected_reference(mag, j):
    """dump1090's applyPhaseCorrection (after Oliver Jowett) in float, written plainly."""
    d = mag[j + 16:j + 240].astype(np.float64)
    on = mag[j] + mag[j + 2] + mag[j + 7] + mag[j + 9]
    early, late = 2 * (mag[j - 1] + mag[j + 6]), 2 * (mag[j + 3] + mag[j + 10])
    if early > late:
        f = early / (early + on)
        d[223] *= 1 + f
        for k in range(222, 0, -2):
            d[k - 1] *= 1 - f if d[k] > d[k + 1] else 1 + f
    else:
        f = late / (late + on)
        d[0] *= 1 + f
        for k in range(0, 222, 2):
            d[k + 2] *= 1 + f if d[k] > d[k + 1] else 1 - f
    return d


@pytest.mark.parametrize("position, frame", [
    (173339, "8d4d2023991090ac888014a8ea96"),
    (249931, "8d4d2023586da0aadf9cd2eee1c8"),
    (257282, "8d4d2023586d74410f89455be921")])
def test_phase_correction_recovers_dump1090s_frames_in_the_real_capture(real_data, position, frame):
    """Three frames of the real 1090 MHz capture that fail the CRC as sampled and that
    dump1090 decodes after its phase correction: ours is the same correction (checked against
    a plain reference) and decodes them."""
    from sdrflow.kernels.modes import _phase_corrected, _residual, _slice, find_frames

    raw = np.fromfile(real_data / "adsb" / "modes1_1090M_2000k.cu8", np.uint8).astype(np.float32)
    x = ((raw[0::2] - 127.5) + 1j * (raw[1::2] - 127.5)) / 127.5
    mag = np.ascontiguousarray(np.abs(x[position - 1:position + 300]), np.float32)
    got = np.empty(224, np.float32)
    _phase_corrected(mag, 1, got)
    np.testing.assert_allclose(got, phase_corrected_reference(mag, 1), rtol=1e-5)
    plain = np.zeros(14, np.uint8)
    _slice(mag, 1 + 16, plain)
    assert _residual(plain, CRC_TABLE) != 0  # as sampled: the CRC fails
    rows = np.zeros((2, 14), np.uint8)
    positions, residuals = np.zeros(2, np.intp), np.zeros(2, np.uint32)
    n = find_frames(mag, 2, CRC_TABLE, rows, positions, residuals)
    assert n in (1, 2) and list(positions[:n]) == [1] * n  # the plain row only if its DF exists
    assert bytes(rows[n - 1]).hex() == frame and residuals[n - 1] == 0  # corrected: dump1090's


def test_ook_slice_times_edges_and_ignores_short_glitches():
    from sdrflow.kernels.ook import ook_slice

    fs = 250e3
    env = np.zeros(40_000, np.float32)
    env[10_000:10_500] = 1.0   # a 2 ms pulse
    env[20_000:20_003] = 1.0   # a 12 us spike: with the smoothing, shorter than min_items = 20
    env[30_000:31_000] = 1.0   # a 4 ms pulse
    x = (env + 0.03 * cnoise(len(env))).astype(np.complex64)  # 27 dB SNR
    state = np.zeros(7, np.float32)
    state[4] = 3000  # warm-up items
    edges, outs, n = [], [], 0
    alpha = lambda tau: np.float32(1 - np.exp(-1 / (tau * fs)))  # noqa: E731
    for part in pieces(x):
        changes, out = np.zeros(len(part) + 1, np.intp), np.zeros(len(part), np.float32)
        k = ook_slice(part, alpha(8e-6), alpha(5e-3), alpha(2e-4), np.float32(10.0),
                      np.float32(10 ** 0.05), np.float32(20), state, changes, out)
        edges += [n + int(c) for c in changes[:k]]
        outs.append(out)
        n += len(part)
    assert len(edges) == 4  # two pulses; the spike made none
    assert np.all(np.abs(np.array(edges) - [10_000, 10_500, 30_000, 31_000]) <= 8)
    assert edges[1] - edges[0] - 500 == edges[3] - edges[2] - 1000  # both edges timed alike
    out = np.concatenate(outs)
    assert out[edges[0] + 19] == 1.0 and out[edges[0] + 17] == 0.0  # high once it lasted 20
    assert out[20_000:20_100].max() == 0.0


def test_quantize_u8_is_the_dongles_grid():
    from sdrflow.kernels.sim import quantize_u8

    x = np.linspace(-1.2, 1.2, 10_001).astype(np.float32)
    out = np.empty_like(x)
    quantize_u8(x, np.float32(127.5), out)
    q = np.clip(np.floor(x.astype(np.float64) * 127.5 + 127.5 + 0.5), 0, 255)
    np.testing.assert_allclose(out, (q - 127.5) / 127.5, atol=1e-6)


def test_fm_tones_phase_is_the_integral_of_the_frequency():
    from sdrflow.kernels.sim import fm_tones, tone_steps

    rate, dev, f0 = 2.4e6, 75e3, 1000.0
    freqs, amps, phases = np.array([f0]), np.array([0.5]), np.array([0.3])
    steps = tone_steps(rate, freqs)
    whole = np.empty(24_000, np.complex64)
    fm_tones(0, rate, freqs, amps, phases, steps, dev, 10e3, np.float32(1.0), whole)
    split = np.empty(24_000, np.complex64)  # any split gives the same samples
    fm_tones(0, rate, freqs, amps, phases, steps, dev, 10e3, np.float32(1.0), split[:777])
    fm_tones(777, rate, freqs, amps, phases, steps, dev, 10e3, np.float32(1.0), split[777:])
    np.testing.assert_allclose(split, whole, atol=1e-5)
    # instantaneous frequency = offset + deviation · Σ amps·sin(2π f t + φ)
    inst = np.angle(whole[1:] * np.conj(whole[:-1])) * rate / (2 * np.pi)
    t = (np.arange(1, len(whole)) - 0.5) / rate
    expected = 10e3 + dev * 0.5 * np.sin(2 * np.pi * f0 * t + 0.3)
    np.testing.assert_allclose(inst, expected, atol=60)


def test_rds_rotate_adds_the_subcarrier_to_the_instantaneous_frequency():
    from sdrflow.kernels.sim import rds_rotate

    rate, dev, theta = 2.4e6, 2000.0, 0.3
    chips = np.array([1, -1, -1, 1, 1, 1, -1], np.int8)
    whole = np.ones(48_000, np.complex64)
    rds_rotate(0, rate, chips, dev, theta, whole)
    split = np.ones(48_000, np.complex64)  # any split gives the same samples
    rds_rotate(0, rate, chips, dev, theta, split[:1011])
    rds_rotate(1011, rate, chips, dev, theta, split[1011:])
    np.testing.assert_array_equal(split, whole)
    # instantaneous frequency = deviation · c(t) · cos(2π·57 kHz·t + θ), chips at 2375 a second
    inst = np.angle(whole[1:] * np.conj(whole[:-1])) * rate / (2 * np.pi)
    t = (np.arange(1, len(whole)) - 0.5) / rate
    c = chips[np.floor(t * 2375).astype(int) % len(chips)]
    inner = np.abs(t * 2375 - np.round(t * 2375)) * rate / 2375 > 2  # 2 samples from an edge
    expected = dev * c * np.cos(2 * np.pi * 57e3 * t + theta)
    np.testing.assert_allclose(inst[inner], expected[inner], atol=15)


def test_hold_phasor_carries_each_phasor_over_the_samples_after_it():

    D, w = 8, 0.3
    steps = np.exp(1j * w * np.arange(D)).astype(np.complex64)
    phases = rng.uniform(-np.pi, np.pi, 40)
    zs = np.exp(1j * phases).astype(np.complex64)
    before = np.complex64(np.exp(0.7j))
    for first, n in [(0, 320), (3, 317), (7, 100), (5, 2)]:
        out = np.empty(n, np.complex64)
        hold_phasor(zs, before, first, steps, out)
        i = np.arange(n)
        k = np.floor_divide(i - first, D)  # −1 before the first phasor
        held = np.where(k < 0, 0.7, phases[np.maximum(k, 0)])
        ref = np.exp(1j * (held + w * (i - first - D * k)))
        np.testing.assert_allclose(out, ref, atol=1e-6)


@pytest.mark.parametrize("size, hop", [(1024, 1024), (1024, 512), (64, 48), (8, 3)])
def test_frames_equal_numpy_windowed_slices(size, hop):
    from sdrflow.kernels.fft import frames

    x = cnoise(5000)
    window = np.hanning(size).astype(np.float32)
    count = (len(x) - size) // hop + 1
    out = np.empty((count, size), np.complex64)
    frames(x, window, hop, out)
    ref = np.stack([x[f * hop:f * hop + size] * window for f in range(count)])
    np.testing.assert_array_equal(out, ref)


# -- bits ---------------------------------------------------------------------------------------
def test_differential_decode_equals_numpy_across_pieces():
    x = rng.integers(0, 4, 9000).astype(np.uint8)
    state = np.array([3], np.intp)
    got = []
    for part in pieces(x):
        out = np.empty(len(part), np.uint8)
        differential_decode(part, 4, state, out)
        got.append(out)
    want = np.mod(x.astype(int) - np.concatenate([[3], x[:-1]]), 4)
    np.testing.assert_array_equal(np.concatenate(got), want)
    assert state[0] == x[-1]


@pytest.mark.parametrize("max_errors", [0, 2])
def test_find_sync_equals_a_sliding_hamming_distance(max_errors):
    word_bits = rng.integers(0, 2, 24).astype(np.uint8)
    bits = rng.integers(0, 2, 9000).astype(np.uint8)
    for at in (100, 2500, 7000):  # three copies: clean, one bit flipped, three flipped
        bits[at:at + 24] = word_bits
    bits[[2503, 7001, 7010, 7020]] ^= 1
    word = int("".join(map(str, word_bits)), 2)
    mask = (1 << 24) - 1
    state = np.zeros(2, np.uint64)
    found, start = [], 0
    for part in pieces(bits):
        out = np.empty(len(part), np.intp)
        k = find_sync(part, np.uint64(word), np.uint64(mask), 24, max_errors, state, out)
        found += [start + int(i) for i in out[:k]]
        start += len(part)
    windows = np.lib.stride_tricks.sliding_window_view(bits, 24)
    distance = (windows != word_bits).sum(axis=1)
    want = [int(i) + 24 for i in np.flatnonzero(distance <= max_errors)]
    assert found == want
    assert 124 in want and 7024 not in want
    assert (2524 in want) == (max_errors == 2)


def test_stereo_matrix_equals_its_formula():
    mpx = rng.standard_normal(4096).astype(np.float32)
    pilot = np.exp(1j * rng.uniform(-np.pi, np.pi, 4096)).astype(np.complex64)
    left, right = np.empty(4096, np.float32), np.empty(4096, np.float32)
    stereo_matrix(mpx, pilot, left, right)
    c = np.cos(2 * np.angle(pilot.astype(np.complex128)))
    np.testing.assert_allclose(left, mpx * (1 + 2 * c), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(right, mpx * (1 - 2 * c), rtol=1e-4, atol=1e-5)


# -- spectrum averages ---------------------------------------------------------------------------
def test_average_exponential_equals_lfilter_across_pieces():
    p = rng.random((300, 64)).astype(np.float32)
    alpha = np.float32(0.1)
    acc0 = rng.random(64).astype(np.float32)
    acc, got, f = acc0.copy(), np.empty_like(p), 0
    for k in (1, 7, 100, 192):
        average_exponential(p[f:f + k], alpha, acc, got[f:f + k])
        f += k
    want, _ = signal.lfilter([alpha], [1, alpha - 1], p.astype(np.float64), axis=0,
                             zi=((1 - alpha) * acc0)[None, :])
    np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_array_equal(acc, got[-1])


def test_average_blocks_equals_a_reshaped_mean_across_pieces():
    p = rng.random((300, 32)).astype(np.float32)
    acc, count = np.zeros(32, np.float32), np.zeros(1, np.intp)
    rows, f = [], 0
    for k in (1, 7, 100, 192):
        out = np.empty((k, 32), np.float32)
        rows.append(out[:average_blocks(p[f:f + k], 7, acc, count, out)])
        f += k
    got = np.concatenate(rows)
    want = p[:294].reshape(42, 7, 32).mean(axis=1)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert count[0] == 6  # frames 294..299 wait for the next call
    np.testing.assert_allclose(acc, p[294:].sum(axis=0), rtol=1e-5)


# -- synchronisation loops -----------------------------------------------------------------------
def run_phase_loop(x, order, bandwidth=0.005):
    alpha, beta = np.float32(loop_gains(bandwidth, 1.0))
    state = np.zeros(2)
    out, ref = np.empty_like(x), np.empty_like(x)
    i = 0
    for part in pieces(x):
        phase_loop(part, alpha, beta, F32(-0.2), F32(0.2), order, state, out[i:i + len(part)],
                   ref[i:i + len(part)])
        i += len(part)
    return out, ref, state


def test_phase_loop_locks_to_a_carrier_and_its_output_times_its_reference_is_the_input():
    w, n = 0.02, 20000
    x = np.exp(1j * (w * np.arange(n) + 1.0)).astype(np.complex64)
    out, ref, state = run_phase_loop(x, 0)
    np.testing.assert_allclose(out * ref, x, atol=2e-6)          # out = x·e^{−jφ}, ref = e^{jφ}
    np.testing.assert_allclose(np.abs(ref), 1, atol=1e-6)
    assert abs(state[1] - w) < 1e-6                                # frequency in rad/sample
    assert np.abs(np.angle(out[-5000:])).max() < 1e-3              # locked: no phase left
    whole = np.empty_like(x), np.empty_like(x)
    alpha, beta = np.float32(loop_gains(0.005, 1.0))
    phase_loop(x, alpha, beta, F32(-0.2), F32(0.2), 0, np.zeros(2), *whole)
    np.testing.assert_allclose(whole[0], out, atol=1e-6)           # pieces change nothing


@pytest.mark.parametrize("order", [2, 4])
def test_costas_loop_removes_the_carrier_from_psk_symbols(order):
    n, sps, w = 40000, 8, 0.003
    points = np.exp(2j * np.pi * np.arange(order) / order + (1j * np.pi / 4 if order == 4 else 0))
    symbols = rng.integers(0, order, n // sps)
    x = (np.repeat(points[symbols], sps) * np.exp(1j * (w * np.arange(n) + 0.7))).astype(np.complex64)
    out, _, state = run_phase_loop(x, order)
    assert abs(state[1] - w) < 1e-5
    tail = out[-8000:].astype(np.complex128)
    # Locked up to the constellation's symmetry: every sample sits on a constellation point.
    nearest = np.abs(tail[:, None] - points[None, :]).min(axis=1)
    assert nearest.max() < 1e-2
    rotation = np.angle(tail[0] / points[symbols[-1000]])
    assert np.isclose(np.mod(rotation * order / (2 * np.pi) + 0.5, 1), 0.5, atol=1e-2)


@pytest.mark.parametrize("order", [1, 4])
def test_frequency_loop_finds_the_offset_of_a_tone_and_of_qpsk(order):
    n, w = 20000, 0.05
    data = np.exp(1j * (np.pi / 2 * rng.integers(0, 4, n) + np.pi / 4)) if order == 4 else 1
    x = (data * np.exp(1j * w * np.arange(n))).astype(np.complex64)
    state, out, i = np.zeros(4), np.empty_like(x), 0
    for part in pieces(x):
        frequency_loop(part, np.float32(0.02), order, state, out[i:i + len(part)])
        i += len(part)
    assert abs(state[1] - w) < 1e-4
    step = np.angle((out[-5000:][1:] * np.conj(out[-5000:][:-1])).astype(np.complex128) ** order)
    assert np.abs(step).max() < 1e-2                               # no rotation left
    np.testing.assert_allclose(np.abs(out), np.abs(x), rtol=1e-5)  # only rotated


@pytest.mark.parametrize("ted", [0, 1])
def test_symbol_sync_recovers_every_symbol_at_a_fractional_rate(ted):
    sps, n_sym, offset = 4.37, 3000, 1.6
    bits = rng.integers(0, 2, n_sym) * 2 - 1
    t = np.arange(int(n_sym * sps))
    x = np.zeros(len(t))
    for k in range(n_sym):                   # raised-cosine pulses (roll-off 0.5), ±8 symbols
        lo, hi = int(k * sps + offset - 8 * sps), int(k * sps + offset + 8 * sps)
        u = (t[max(lo, 0):hi] - k * sps - offset) / sps
        x[max(lo, 0):hi] += bits[k] * np.sinc(u) * np.cos(np.pi * 0.5 * u) / (1 - (0.5 * 2 * u) ** 2 + 1e-12)
    x = x.astype(np.complex64)
    alpha, beta = loop_gains(0.005, 1.0)
    state = np.array([sps, 0.0, 1.0, 0, 0, 0, 0])
    out = np.empty(n_sym + 10, np.complex64)
    count = symbol_sync(x, sps, alpha * sps, beta * sps, ted, state, out)
    assert abs(count - n_sym) <= 3
    got = np.sign(out[500:count].real).astype(int)
    # Align the recovered symbols with the sent ones, then count errors: none once locked.
    shifts = [np.mean(got == bits[500 + s:500 + s + len(got)][:len(got)]) if 500 + s + len(got) <= n_sym else 0
              for s in range(-3, 4)]
    assert max(shifts) == 1.0
    eye = np.abs(out[500:count].real)
    assert eye.min() > 0.6                    # strobes near the eye's centre, not its edges
