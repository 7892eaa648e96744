"""FFT frames and the power spectrum against numpy, in any chunking."""
import numpy as np
import pytest
from scipy.signal import get_window

from sdrflow.blocks import FFT, Spectrum
from sdrflow.testing import assert_chunk_invariant, run_block

rng = np.random.default_rng(4)
X = (rng.standard_normal(10_000) + 1j * rng.standard_normal(10_000)).astype(np.complex64)


def reference_frames(x, size, overlap, window):
    hop = size - overlap
    w = get_window(window, size)
    starts = range(0, len(x) - size + 1, hop)
    return np.array([np.fft.fft(x[s:s + size] * w) for s in starts])


@pytest.mark.parametrize("size, overlap", [(256, 0), (256, 192), (64, 1)])
def test_fft_frames_equal_numpy(size, overlap):
    y = assert_chunk_invariant(lambda: FFT(size, "hann", overlap), X, rtol=1e-4, atol=1e-3)
    ref = reference_frames(X, size, overlap, "hann")
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-3)


def test_spectrum_reads_a_full_scale_tone_at_0_dbfs():
    fs, size = 1.024e6, 1024
    f0 = 100 * fs / size  # on bin 100
    x = np.exp(2j * np.pi * f0 * np.arange(8 * size) / fs).astype(np.complex64)
    y = run_block(Spectrum(size, shift=True), x, rate=fs)
    assert y.shape == (8, size)
    k = np.argmax(y[0])
    assert k == size // 2 + 100
    assert y[0, k] == pytest.approx(0.0, abs=1e-3)
    assert np.median(y[0]) < -100


def test_spectrum_without_averaging_equals_numpy_in_db():
    w = get_window("blackmanharris", 512)
    y = assert_chunk_invariant(lambda: Spectrum(512, shift=False), X, rtol=1e-4, atol=1e-3)
    ref = 10 * np.log10(np.abs(reference_frames(X, 512, 0, "blackmanharris")) ** 2 / w.sum() ** 2)
    np.testing.assert_allclose(y, ref, atol=1e-3)


def test_spectrum_averaging_and_decimation():
    w = get_window("hann", 128)
    p = np.abs(reference_frames(X, 128, 0, "hann")) ** 2 / w.sum() ** 2  # 78 frames
    mean4 = assert_chunk_invariant(lambda: Spectrum(128, "hann", average=4, shift=False), X,
                                   rtol=1e-4, atol=1e-3)
    ref = 10 * np.log10(p[:76].reshape(19, 4, 128).mean(axis=1))
    np.testing.assert_allclose(mean4, ref, atol=1e-3)
    expo = assert_chunk_invariant(lambda: Spectrum(128, "hann", average="exponential", alpha=0.25,
                                                   decimation=3, shift=False), X, rtol=1e-4, atol=1e-3)
    acc, smoothed = np.zeros(128), []
    for frame in p:
        acc = 0.25 * frame + 0.75 * acc
        smoothed.append(acc.copy())
    np.testing.assert_allclose(expo, 10 * np.log10(np.array(smoothed[::3])), atol=1e-3)


def test_spectrum_refuses_bad_parameters():
    with pytest.raises(ValueError, match="unknown window"):
        Spectrum(256, window="nope")
    with pytest.raises(ValueError, match="overlap must be in"):
        FFT(256, overlap=256)
    with pytest.raises(ValueError, match="average must be"):
        Spectrum(256, average=0)


def test_power_spectral_density_equals_welch():
    from scipy.signal import welch
    fs = 2e6
    x = (0.1 * (rng.standard_normal(64 * 256) + 1j * rng.standard_normal(64 * 256))).astype(np.complex64)
    y = run_block(Spectrum(256, "hann", average=64, shift=False, density=True), x, rate=fs)
    _, ref = welch(x, fs, window="hann", nperseg=256, noverlap=0, return_onesided=False,
                   scaling="density", detrend=False)
    np.testing.assert_allclose(y[0], 10 * np.log10(ref), atol=1e-3)
    # white noise of power 0.02 spread over 2 MHz: 0.02 / 2e6 per Hz, about -80 dBFS/Hz
    assert np.mean(y[0]) == pytest.approx(10 * np.log10(0.02 / fs), abs=0.5)


def test_lowpass_equiripple_and_kaiser_blocks_run():
    from sdrflow.blocks import LowpassFilter
    for kw in ({"equiripple": True}, {"attenuation_db": 90}):
        f = LowpassFilter(100e3, transition=40e3, decimation=4, **kw)
        y = run_block(f, X, rate=1e6)
        assert len(y) == -(-len(X) // 4)
        from scipy import signal
        _, h = signal.freqz(f.taps, worN=[150e3, 300e3], fs=1e6)
        assert 20 * np.log10(np.abs(h).max()) < -55


def test_spectrum_of_a_real_signal_shows_both_sides_at_minus_6_dbfs():
    from sdrflow.blocks import Spectrum
    from sdrflow.testing import assert_chunk_invariant

    rate, size = 48e3, 1024
    n = np.arange(size * 20)
    x = np.cos(2 * np.pi * (96 * rate / size) * n / rate).astype(np.float32)  # on bin 96
    frames = assert_chunk_invariant(lambda: Spectrum(size, shift=True), x, rate=rate, rtol=1e-4,
                                    atol=1e-3)
    last = frames[-1]
    peaks = sorted(np.argsort(last)[-2:])
    assert peaks == [size // 2 - 96, size // 2 + 96]
    assert abs(last[peaks[1]] - -6.02) < 0.05


@pytest.mark.parametrize("shift", [False, True])
def test_ifft_after_fft_gives_the_stream_back(shift):
    from sdrflow import Flowgraph
    from sdrflow.blocks import IFFT, VectorSink, VectorSource

    x = (np.random.default_rng(3).standard_normal(64 * 40) * (1 + 1j)).astype(np.complex64)
    fg, sink = Flowgraph(chunk=500), VectorSink()
    fg.connect(VectorSource(x, rate=1e6), FFT(64, window="boxcar", shift=shift), IFFT(64, shift=shift), sink)
    fg.run()
    np.testing.assert_allclose(sink.data, x, rtol=1e-5, atol=1e-5)
    spectra = np.fft.fft(x.reshape(-1, 64), axis=1).astype(np.complex64)
    np.testing.assert_allclose(run_block(IFFT(64), spectra, rate=1e3), x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("size, count", [(1024, 37), (100, 9), (2001, 7), (3, 5), (16384, 2)])
def test_fftw_and_scipy_transform_frames_alike(size, count):
    """The FFT blocks' two back ends (FFTW through pyfftw, scipy.fft) against numpy's FFT,
    whole batches and leftovers, sizes whose rows are not 64-byte aligned included. pyfftw is
    in the dev extra, so both always run here."""
    from sdrflow.blocks._fftw import FrameFFT

    rng = np.random.default_rng(5)
    x = (rng.standard_normal((count, size)) + 1j * rng.standard_normal((count, size))).astype(np.complex64)
    ref = np.fft.fft(x.astype(np.complex128), axis=1)
    for use_fftw in (True, False):
        fft = FrameFFT(size, use_fftw=use_fftw)
        a = fft.frames(count)
        a[:] = x
        np.testing.assert_allclose(fft.transform(a), ref, rtol=1e-4, atol=1e-3 * np.sqrt(size))
