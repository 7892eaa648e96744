"""RtlSdrSource: the real pyrtlsdr without a dongle, and a stand-in dongle for the data path."""
import sys
import time
import types

import numpy as np
import pytest

from sdrflow import Flowgraph, GraphError
from sdrflow.blocks import Head, RtlSdrSource, VectorSink

RAW = np.random.default_rng(4).integers(0, 256, 2 * 100_000, dtype=np.uint8)


def test_no_dongle_is_a_clear_error_at_start():
    # The real pyrtlsdr and librtlsdr (pyrtlsdrlib): with no dongle on this machine it fails.
    fg = Flowgraph()
    fg.connect(RtlSdrSource(98.5e6), Head(10), VectorSink())
    with pytest.raises(GraphError, match="no RTL-SDR found .*plug one in"):
        fg.start()


class StandInDongle:
    """Takes settings like pyrtlsdr's RtlSdr and returns RAW as the USB stream."""

    log = []
    fail_after = None

    def __init__(self, device_index=0):
        self.log.append(("open", device_index))
        self.pos = 0

    @staticmethod
    def get_device_index_by_serial(serial):
        if serial != "00000001":
            raise OSError("no device with that serial")
        return 0

    def __setattr__(self, key, value):
        if key != "pos":
            self.log.append((key, value))
        object.__setattr__(self, key, value)

    def read_bytes(self, n):
        assert n % 512 == 0
        if self.fail_after is not None and self.pos >= self.fail_after:
            raise OSError("LIBUSB_ERROR_NO_DEVICE")
        time.sleep(n / 2 / 2.4e7)  # USB delivers at a pace (here ten times real time)
        chunk = RAW[self.pos % len(RAW):self.pos % len(RAW) + n]
        self.pos += len(chunk)
        return bytearray(chunk.tobytes())

    def close(self):
        self.log.append(("close", None))


@pytest.fixture
def stand_in(monkeypatch):
    StandInDongle.log, StandInDongle.fail_after = [], None
    monkeypatch.setitem(sys.modules, "rtlsdr", types.SimpleNamespace(RtlSdr=StandInDongle))
    return StandInDongle


def test_configures_reads_and_retunes(stand_in):
    src = RtlSdrSource(100e6, rate=2.048e6, gain=29.7, correction_ppm=12, device="00000001")
    fg = Flowgraph(chunk=10_000)
    sink = VectorSink()
    fg.connect(src, Head(100_000), sink)
    fg.start()
    while src.samples == 0:
        time.sleep(0.001)
    fg.post(src, "ctrl", {"frequency": 101e6})  # after the first read, so both are tagged
    fg.wait(10)
    assert stand_in.log[:5] == [("open", 0), ("sample_rate", 2048000), ("center_freq", 100000000),
                                ("gain", 29.7), ("freq_correction", 12)]
    assert ("center_freq", 101000000) in stand_in.log and stand_in.log[-1] == ("close", None)
    raw = RAW.astype(np.float64)
    expect = (raw[0::2] - 127.5) / 127.5 + 1j * (raw[1::2] - 127.5) / 127.5
    np.testing.assert_allclose(sink.data, expect[:100_000], atol=1e-6)
    assert [t.value for t in sink.tags if t.key == "rx_freq"][:2] == [100e6, 101e6]


def test_unplugged_mid_stream_ends_cleanly(stand_in):
    stand_in.fail_after = 60_000
    src = RtlSdrSource(100e6)
    fg = Flowgraph(chunk=10_000)
    sink = VectorSink()
    fg.connect(src, sink)
    t0 = time.monotonic()
    fg.run()
    assert time.monotonic() - t0 < 5 and src.samples == len(sink.data) > 0
    assert stand_in.log[-1] == ("close", None)
