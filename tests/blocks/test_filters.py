"""FIR filters, de-emphasis: references and chunk invariance."""
import numpy as np
import pytest
from scipy import signal

from sdrflow.blocks import Deemphasis, FIRFilter, LowpassFilter
from sdrflow.testing import assert_chunk_invariant, run_block

rng = np.random.default_rng(3)
X = (rng.standard_normal(6000) + 1j * rng.standard_normal(6000)).astype(np.complex64)


@pytest.mark.parametrize("decimation", [1, 3, 10])
def test_fir_filter_equals_upfirdn_in_any_chunking(decimation):
    taps = signal.firwin(31, 0.1)
    y = assert_chunk_invariant(lambda: FIRFilter(taps, decimation), X, rate=1e6)
    assert len(y) == -(-len(X) // decimation)  # every kept output, no more, no fewer
    np.testing.assert_allclose(y, signal.upfirdn(taps, X, 1, decimation)[:len(y)], rtol=1e-5, atol=1e-5)


def test_fir_filter_real_stream_and_complex_taps():
    xf = rng.standard_normal(3000).astype(np.float32)
    y = assert_chunk_invariant(lambda: FIRFilter([0.5, 0.25, 0.25]), xf, rate=1e3)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, signal.lfilter([0.5, 0.25, 0.25], 1, xf), rtol=1e-5, atol=1e-6)
    taps = np.exp(1j * np.arange(9)) / 9
    y = assert_chunk_invariant(lambda: FIRFilter(taps), X, rate=1e3)
    np.testing.assert_allclose(y, signal.lfilter(taps, 1, X), rtol=1e-5, atol=1e-5)


def test_lowpass_designs_from_hz_at_the_graph_rate():
    f = LowpassFilter(100e3, transition=20e3, decimation=10)
    y = run_block(f, X, rate=2.4e6)
    assert len(y) == len(X) // 10
    ref_taps = signal.firwin(len(f.taps), 100e3, fs=2.4e6)
    np.testing.assert_allclose(y, signal.upfirdn(ref_taps, X, 1, 10)[:len(y)], rtol=1e-4, atol=1e-5)
    w, h = signal.freqz(f.taps, worN=[50e3, 100e3, 130e3], fs=2.4e6)
    assert abs(h[0]) == pytest.approx(1, abs=0.01)
    assert 20 * np.log10(abs(h[1])) == pytest.approx(-6, abs=0.5)
    assert 20 * np.log10(abs(h[2])) < -40


def test_lowpass_refuses_cutoffs_the_rate_cannot_carry():
    with pytest.raises(ValueError, match="below half the input rate"):
        run_block(LowpassFilter(600e3), X, rate=1e6)
    with pytest.raises(ValueError, match="aliasing"):
        run_block(LowpassFilter(100e3, decimation=20), X, rate=2.4e6)


@pytest.mark.parametrize("tau", [50e-6, 75e-6])
def test_deemphasis_has_its_corner_at_one_over_two_pi_tau(tau):
    fs = 48e3
    d = Deemphasis(tau)
    x = rng.standard_normal(5000).astype(np.float32)
    y = assert_chunk_invariant(lambda: Deemphasis(tau), x, rate=fs)
    run_block(d, x[:10], rate=fs)
    np.testing.assert_allclose(y, signal.lfilter([d._b0, d._b0], [1, d._a1], x), rtol=1e-4, atol=1e-5)
    _, h = signal.freqz([d._b0, d._b0], [1, d._a1], worN=[0.1, 1 / (2 * np.pi * tau)], fs=fs)
    assert abs(h[0]) == pytest.approx(1, abs=1e-3)
    assert 20 * np.log10(abs(h[1])) == pytest.approx(-3.01, abs=0.05)


def test_fir_filter_without_taps_and_absurd_designs_are_refused():
    with pytest.raises(ValueError, match="give the taps"):
        FIRFilter()
    from sdrflow import Flowgraph
    from sdrflow.blocks import LowpassFilter, NullSink, SignalSource

    fg = Flowgraph()
    fg.connect(SignalSource(1e3, rate=2.4e6), LowpassFilter(100e3, transition=1.0), NullSink())
    with pytest.raises(ValueError, match=r"needs 7,920,001 taps .*widen the transition to at least"):
        fg.start()
