"""Filters beyond the plain FIR, resamplers and the rotator, against scipy, in any chunking."""
import numpy as np
import pytest
from scipy import signal

from sdrflow.blocks import (BandpassFilter, DCBlocker, FreqXlatingFilter, HighpassFilter,
                            HilbertTransform, IIRFilter, InterpolatingFIRFilter, MovingAverage,
                            RationalResampler, Resampler, Rotator)
from sdrflow.testing import assert_chunk_invariant, run_block

rng = np.random.default_rng(21)
X = (rng.standard_normal(8000) + 1j * rng.standard_normal(8000)).astype(np.complex64)
F = rng.standard_normal(8000).astype(np.float32)


def test_interpolating_fir_equals_upfirdn():
    taps = (4 * signal.firwin(63, 0.1)).astype(np.float32)
    y = assert_chunk_invariant(lambda: InterpolatingFIRFilter(taps, 4), X[:3000], rate=1e3)
    np.testing.assert_allclose(y, signal.upfirdn(taps, X[:3000], 4, 1)[:len(y)], rtol=1e-5, atol=1e-5)
    assert len(y) == 4 * 3000


@pytest.mark.parametrize("p, q, x", [(1, 5, F), (4, 5, X), (2, 5, F), (160, 147, F[:3000])])
def test_rational_resampler_equals_upfirdn(p, q, x):
    block = RationalResampler(p, q)
    y = assert_chunk_invariant(lambda: RationalResampler(p, q), x, rate=48e3)
    run_block(block, x[:10], rate=48e3)
    ref = signal.upfirdn(block.taps, x, p, q)[:len(y)]
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    assert abs(len(y) - len(x) * p / q) <= 1


def test_resampler_44k1_to_48k_keeps_a_tone():
    fs = 44.1e3
    x = np.sin(2 * np.pi * 1e3 * np.arange(44100) / fs).astype(np.float32)
    block = Resampler(48e3)
    y = run_block(block, x, rate=fs)
    assert (block.interpolation, block.decimation) == (160, 147)
    assert abs(len(y) - 48000) <= 1
    seg = y[4800:-4800]
    t = (np.arange(len(seg)) + 4800) / 48e3
    delay = (len(block.taps) - 1) / 2 / (160 * fs)
    np.testing.assert_allclose(seg, np.sin(2 * np.pi * 1e3 * (t - delay)), atol=2e-3)
    with pytest.raises(ValueError, match="not P/Q"):
        run_block(Resampler(np.pi * 1e4), x, rate=fs)


def test_freq_xlating_filter_equals_mix_then_decimate():
    fs, f0 = 2.4e6, -100e3
    taps = signal.firwin(128, 0.045)
    x = X
    y = assert_chunk_invariant(lambda: FreqXlatingFilter(f0, taps=taps, decimation=10), x, rate=fs,
                               rtol=2e-4, atol=2e-5)
    mixed = x * np.exp(-2j * np.pi * f0 / fs * np.arange(len(x)))
    np.testing.assert_allclose(y, signal.upfirdn(taps, mixed, 1, 10)[:len(y)], rtol=2e-4, atol=2e-5)


def test_freq_xlating_filter_selects_the_channel():
    fs = 2.4e6
    n = np.arange(240_000)
    x = (np.exp(2j * np.pi * 300e3 * n / fs) + np.exp(-2j * np.pi * 500e3 * n / fs)).astype(np.complex64)
    y = run_block(FreqXlatingFilter(300e3, cutoff=50e3, decimation=10), x, rate=fs)[100:]
    assert np.mean(np.abs(y)) == pytest.approx(1, abs=0.01)
    assert np.std(np.angle(y[1:] * np.conj(y[:-1]))) < 1e-3  # at 0 Hz: a constant phasor


def test_iir_filter_equals_sosfilt():
    sos = signal.butter(4, 3e3, fs=48e3, output="sos")
    y = assert_chunk_invariant(lambda: IIRFilter(sos), F, rate=48e3, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y, signal.sosfilt(sos, F), rtol=1e-4, atol=1e-5)
    yc = assert_chunk_invariant(lambda: IIRFilter(sos), X, rate=48e3, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(yc, signal.sosfilt(sos, X), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="unstable"):
        IIRFilter([[1, 0, 0, 1, -2, 1.5]])


def test_dc_blocker_removes_the_offset():
    x = (X * 0.1 + (0.3 - 0.2j)).astype(np.complex64)
    y = assert_chunk_invariant(lambda: DCBlocker(10.0), x, rate=8e3, rtol=1e-5, atol=1e-5)
    a = np.exp(-2 * np.pi * 10 / 8e3)
    np.testing.assert_allclose(y, signal.lfilter([1, -1], [1, -a], x), rtol=1e-4, atol=1e-4)
    assert abs(np.mean(y[-2000:])) < 0.01


def test_moving_average_equals_convolution():
    y = assert_chunk_invariant(lambda: MovingAverage(50), X)
    np.testing.assert_allclose(y, signal.lfilter(np.ones(50) / 50, 1, X), rtol=1e-5, atol=1e-6)
    yf = assert_chunk_invariant(lambda: MovingAverage(7, scale=1.0), F)
    np.testing.assert_allclose(yf, signal.lfilter(np.ones(7), 1, F), rtol=1e-5, atol=1e-5)


def test_hilbert_transform_removes_negative_frequencies():
    fs = 48e3
    x = np.cos(2 * np.pi * 3e3 * np.arange(8192) / fs).astype(np.float32)
    y = assert_chunk_invariant(lambda: HilbertTransform(65), x, rate=fs)[200:]
    spec = np.abs(np.fft.fft(y * np.hanning(len(y))))
    f = np.fft.fftfreq(len(y), 1 / fs)
    assert 20 * np.log10(spec[f < 0].max() / spec[f > 0].max()) < -40
    np.testing.assert_allclose(np.abs(y), 1, atol=0.01)


def test_highpass_and_bandpass_responses():
    fs = 48e3
    hp = HighpassFilter(1e3, transition=300)
    run_block(hp, F[:100], rate=fs)
    _, h = signal.freqz(hp.taps, worN=[300, 1e3, 3e3], fs=fs)
    assert 20 * np.log10(abs(h[0])) < -40 and abs(abs(h[1]) - 0.5) < 0.02 and abs(abs(h[2]) - 1) < 0.01
    bp = BandpassFilter(1e3, 3e3, transition=300, attenuation_db=60)
    y = assert_chunk_invariant(lambda: BandpassFilter(1e3, 3e3, transition=300, attenuation_db=60), F, rate=fs)
    run_block(bp, F[:100], rate=fs)
    np.testing.assert_allclose(y, signal.lfilter(bp.taps, 1, F), rtol=1e-4, atol=1e-5)
    _, h = signal.freqz(bp.taps, worN=[500, 2e3, 4e3], fs=fs)
    assert 20 * np.log10(abs(h[0])) < -55 and abs(abs(h[1]) - 1) < 0.01 and 20 * np.log10(abs(h[2])) < -55


def test_complex_bandpass_is_one_sided():
    fs = 1e6
    n = np.arange(20000)
    x = (np.exp(2j * np.pi * 100e3 * n / fs) + np.exp(-2j * np.pi * 100e3 * n / fs)).astype(np.complex64)
    y = run_block(BandpassFilter(50e3, 150e3, transition=20e3, complex_taps=True), x, rate=fs)[1000:]
    spec = np.abs(np.fft.fft(y))
    f = np.fft.fftfreq(len(y), 1 / fs)
    assert spec[np.argmin(abs(f + 100e3))] < 1e-3 * spec[np.argmin(abs(f - 100e3))]


def test_rotator_shifts_and_retunes_phase_continuously():
    fs = 1e6
    y = assert_chunk_invariant(lambda: Rotator(-100e3), X, rate=fs)
    np.testing.assert_allclose(y, X * np.exp(-2j * np.pi * 100e3 / fs * np.arange(len(X))), rtol=1e-5, atol=1e-5)
    r = Rotator(10e3)
    with pytest.raises(ValueError, match="beyond"):
        run_block(r, X[:10], rate=fs)
        r.set_frequency(600e3)


def test_rotator_retunes_by_message_without_a_phase_jump():
    import threading
    from sdrflow import Flowgraph
    from sdrflow.blocks import SignalSource, VectorSink
    fs = 1e6

    class Watch(VectorSink):  # events on what arrived: some samples, then the new frequency
        def __init__(self):
            super().__init__()
            self.some, self.retuned = threading.Event(), threading.Event()

        def work(self, x):
            super().work(x)
            self.some.set()
            if len(x) > 1 and np.angle(x[-1] * np.conj(x[-2])) < 0:
                self.retuned.set()

    fg = Flowgraph(chunk=4096)
    rot, sink = Rotator(10e3), Watch()
    fg.connect(SignalSource(0, rate=fs), rot, sink)  # a constant 1 turned into a 10 kHz tone
    fg.start()
    assert sink.some.wait(60)
    fg.post(rot, "ctrl", {"frequency": -20e3})
    assert sink.retuned.wait(60)
    fg.stop()
    fg.wait(5)
    y = sink.data
    step = np.angle(y[1:] * np.conj(y[:-1])) * fs / (2 * np.pi)
    assert step[0] == pytest.approx(10e3, abs=1) and step[-1] == pytest.approx(-20e3, abs=1)
    assert set(np.round(step / 1e4).astype(int)) == {1, -2}  # no sample in between: no jump
