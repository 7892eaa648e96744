"""AGC, power squelch and RMS probe: physical behaviour and chunk invariance."""
import numpy as np
import pytest

from sdrflow import Flowgraph
from sdrflow.blocks import AGC, PowerSquelch, RMSProbe, VectorSink, VectorSource
from sdrflow.testing import assert_chunk_invariant, run_block

fs = 48e3


def bursts():
    """A tone whose level steps 0.01 → 1 → 0.01 (40 dB up, then down)."""
    n = np.arange(48000)
    level = np.where((n >= 16000) & (n < 32000), 1.0, 0.01)
    return (level * np.exp(2j * np.pi * 1e3 * n / fs)).astype(np.complex64), level


def test_agc_brings_every_level_to_the_reference():
    x, _ = bursts()
    y = assert_chunk_invariant(lambda: AGC(reference=0.5, attack=1e-3, decay=20e-3), x, rate=fs)
    env = np.abs(y)
    for a, b in ((4000, 16000), (20000, 32000), (44000, 48000)):  # after each settling time
        np.testing.assert_allclose(env[a:b], 0.5, rtol=0.02)
    # A fast attack: within 5 ms of the 40 dB step the envelope is back near the reference.
    assert np.abs(env[16000 + 240:16500] - 0.5).max() < 0.1


def test_agc_respects_max_gain():
    y = run_block(AGC(reference=1.0, max_gain=10), np.full(5000, 1e-3, np.float32), rate=fs)
    assert y[-1] == pytest.approx(1e-2, rel=1e-3)


def test_power_squelch_gates_and_tags_with_hysteresis():
    x, level = bursts()
    sq = lambda: PowerSquelch(threshold_db=-20, hysteresis_db=3, tau=1e-3)
    y = assert_chunk_invariant(sq, x, rate=fs)
    np.testing.assert_array_equal(y[:16000], 0)
    np.testing.assert_array_equal(y[16500:32000], x[16500:32000])
    np.testing.assert_array_equal(y[33000:], 0)
    fg = Flowgraph(chunk=777)
    sink = VectorSink()
    fg.connect(VectorSource(x, rate=fs), sq(), sink)
    fg.run()
    tags = [(t.offset, t.value) for t in sink.tags if t.key == "squelch"]
    assert [v for _, v in tags] == ["open", "close"]
    # Closing waits for the average to fall 23 dB: about 5.3 tau = 254 samples.
    assert 16000 <= tags[0][0] < 16100 and 32200 < tags[1][0] < 32300
    assert np.all(y[tags[0][0]:tags[1][0]] != 0)


def test_squelch_hysteresis_stops_chattering():
    # Power wobbling ±1 dB around the threshold: with 3 dB of hysteresis it opens once.
    n = np.arange(48000)
    amp = 10 ** ((-20 + 1.0 * np.sin(2 * np.pi * 5 * n / fs)) / 20)
    x = (amp * np.exp(2j * np.pi * 1e3 * n / fs)).astype(np.complex64)
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(VectorSource(x, rate=fs), PowerSquelch(-20.5, hysteresis_db=3, tau=1e-4), sink)
    fg.run()
    assert [t.value for t in sink.tags] == ["open"]


def test_rms_probe_reads_the_level():
    probe = RMSProbe(tau=0.01)
    run_block(probe, (0.25 * np.exp(2j * np.pi * np.arange(20000) / 37)).astype(np.complex64), rate=fs)
    assert probe.level == pytest.approx(0.25, rel=1e-3)
    assert probe.level_db == pytest.approx(20 * np.log10(0.25), abs=0.01)
