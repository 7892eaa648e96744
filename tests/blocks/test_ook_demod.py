"""OOK: simulated bursts with known bits, and the real 433 MHz capture against rtl_433."""
import re

import numpy as np
import pytest

from sdrflow import Flowgraph
from sdrflow.blocks import FileSource, MessageSink, NullSink, OOKDemod, VectorSink, VectorSource
from sdrflow.testing import assert_chunk_invariant

FS = 250e3


def ook_signal(bits, bit_rate=2000.0, snr_db=20.0, offset=9.2e3, lead=0.03, seed=0):
    rng = np.random.default_rng(seed)
    spb = int(FS / bit_rate)
    env = np.concatenate([np.zeros(int(lead * FS)), np.repeat(bits, spb), np.zeros(int(0.02 * FS))])
    n = np.arange(len(env))
    noise = (rng.standard_normal(len(env)) + 1j * rng.standard_normal(len(env))) / np.sqrt(2)
    x = env * np.exp(2j * np.pi * offset * n / FS) + noise * 10 ** (-snr_db / 20)
    return x.astype(np.complex64)


def run_ook(x, **kw):
    fg = Flowgraph(chunk=4096)
    demod, msgs = OOKDemod(**kw), MessageSink()
    fg.connect(VectorSource(x, rate=FS), demod, NullSink())
    fg.connect((demod, "bursts"), (msgs, "in"))
    fg.run()
    return demod, msgs.messages


def test_known_bits_come_back_at_20_db_snr():
    bits = np.random.default_rng(3).integers(0, 2, 200)
    bits[0] = bits[-1] = 1  # a burst starts and ends with a pulse
    demod, messages = run_ook(ook_signal(bits), bit_rate=2000)
    assert len(messages) == 1 and messages == list(demod.bursts)
    assert messages[0]["bits"] == list(bits)
    assert messages[0]["start"] == pytest.approx(0.03, abs=2 / FS * 10)


def test_slicing_is_chunk_invariant():
    x = ook_signal(np.array([1, 0, 1, 1, 0, 0, 1]), snr_db=15)
    y = assert_chunk_invariant(lambda: OOKDemod(), x, rate=FS)
    assert set(np.unique(y)) == {0.0, 1.0}


def rtl433_distribution(text, title):
    """(count, width in s) rows of one distribution in rtl_433's -A analysis."""
    block = text.split(title + " distribution:")[1].split("distribution")[0]
    return [(int(c), float(w) * 1e-6) for c, w in re.findall(r"count:\s+(\d+),\s+width:\s+(\d+) us", block)]


def test_real_capture_matches_rtl_433_analysis(real_data):
    folder = real_data / "ook433"
    fg = Flowgraph(chunk=8192)
    demod, tags = OOKDemod(), VectorSink()
    fg.connect(FileSource(str(folder / "sensibleliving_g002_433.92M_250k.cu8"), rate=FS), demod, tags)
    fg.run()
    assert len(demod.bursts) == 1
    burst = demod.bursts[0]
    assert burst["start"] == pytest.approx(0.2846, abs=1e-4)  # rtl_433: @0.284580s
    # The tag marks where the 0/1 stream goes high: min_pulse (10 samples) after the first edge.
    lag = round(demod.min_pulse * FS) - 1
    assert [t.offset for t in tags.tags if t.key == "ook_burst"] == [int(round(burst["start"] * FS)) + lag]
    text = (folder / "sensibleliving_g002.rtl_433-analyze.txt").read_text()
    for ours, title in ((burst["pulses"], "Pulse width"), (burst["gaps"], "Gap width")):
        ours = np.array(ours)
        reference = rtl433_distribution(text, title)
        assert sum(c for c, _ in reference) == len(ours)
        widths = np.array([w for _, w in reference])
        nearest = np.argmin(np.abs(ours[:, None] - widths[None, :]), axis=1)
        for j, (count, width) in enumerate(reference):
            near = ours[nearest == j]
            assert len(near) == count, (title, width)
            # The 1, 2, 3 and 4 ms classes agree within 2 %; the one 152 us glitch at the start
            # of the burst depends on the envelope filter and is held to 25 %.
            tolerance = 0.02 if width > 0.5e-3 else 0.25
            assert np.mean(near) == pytest.approx(width, rel=tolerance), (title, width)
