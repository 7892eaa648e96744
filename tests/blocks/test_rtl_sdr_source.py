"""RtlSdrSource: the real pyrtlsdr without a dongle, and a stand-in dongle at pyrtlsdr's
boundary for streaming, loss counting, retunes, options and failures."""
import time

import numpy as np
import pytest

from sdrflow import Block, BlockError, Flowgraph, GraphError, Port, COMPLEX64
from sdrflow.blocks import Head, NullSink, RtlSdrSource, VectorSink, WBFMStereoReceiver
from sdrflow.testing import StandInDongle

ramp_index = StandInDongle.sample_index


def test_the_sources_load_their_conversion_kernel_before_the_stream_flows():
    """In a fresh process a kernel's first call loads it from Numba's cache (0.3–0.5 s; longer
    on a slow host). Made by the first work(), that stall filled the capture ring, or an
    rtl_tcp server's buffers with samples a retune then made stale (tests run alone failed
    so). The sources load it in start, before the dongle or the server sends anything."""
    import subprocess
    import sys

    for start in ("src = RtlSdrSource(100e6, driver=StandInDongle())\n"
                  "src.start(None)\n"
                  "assert src._reader.is_alive()\n"
                  "src.stop()",
                  "try:\n"
                  "    RtlTcpSource(100e6, port=9).start(None)  # nobody there\n"
                  "except SourceFailed:\n"
                  "    pass"):
        code = ("from sdrflow.blocks import RtlSdrSource, RtlTcpSource\n"
                "from sdrflow.errors import SourceFailed\n"
                "from sdrflow.kernels.convert import u8_to_c64\n"
                "from sdrflow.testing import StandInDongle\n"
                "assert not u8_to_c64.overloads\n"
                f"{start}\n"
                "assert u8_to_c64.overloads\n")
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr


def test_no_dongle_is_a_clear_error_at_start():
    # The real pyrtlsdr and librtlsdr (pyrtlsdrlib): with no dongle on this machine it fails.
    fg = Flowgraph()
    fg.connect(RtlSdrSource(98.5e6), Head(10), VectorSink())
    with pytest.raises(GraphError, match="no RTL-SDR found .*plug one in"):
        fg.start()


def test_busy_device_says_another_program_holds_it():
    fg = Flowgraph()
    fg.connect(RtlSdrSource(98.5e6, driver=StandInDongle(busy=True)), NullSink())
    with pytest.raises(GraphError, match="is busy: another program"):
        fg.start()


def test_options_reach_the_device_and_gain_snaps_to_the_table():
    dongle = StandInDongle(unplug_after=50_000)
    src = RtlSdrSource(14.2e6, rate=2.048e6, gain=30, correction_ppm=12, device="00000001",
                       bias_tee=True, direct_sampling="q", offset_tuning=True, rtl_agc=True,
                       driver=dongle)
    fg = Flowgraph(chunk=8192)
    fg.connect(src, NullSink())
    with pytest.raises(BlockError, match="unplugged"):
        fg.run()
    settings = {name: value for name, value, _ in dongle.settings}
    assert settings == {"sample_rate": 2048000, "direct_sampling": 2, "offset_tuning": True,
                        "center_freq": 14200000, "gain": 29.7, "freq_correction": 12,
                        "bias_tee": True, "rtl_agc": True}
    assert dongle.device_index == 0 and dongle.closed


def test_gain_off_the_table_lists_the_table():
    fg = Flowgraph()
    fg.connect(RtlSdrSource(98.5e6, gain=55, driver=StandInDongle()), NullSink())
    with pytest.raises(GraphError, match=r"outside this tuner's table: 0, 0.9, 1.4, .*49.6 dB"):
        fg.start()


@pytest.mark.parametrize("kw, message", [
    ({"frequency": 5e6}, "use direct sampling"),
    ({"frequency": 98e6, "direct_sampling": "q"}, "direct sampling receives 0–28.8 MHz"),
    ({"frequency": 98e6, "rate": 600e3}, "225001–300000 or 900001–3200000"),
    ({"frequency": 98e6, "direct_sampling": "x"}, "None, 'i' or 'q'"),
    ({"frequency": 5e9}, "5000 MHz is outside the RTL-SDR tuners' range"),
    ({"frequency": 98e6, "correction_ppm": 2000}, "within ±1000"),
])
def test_bad_options_are_refused_before_anything_opens(kw, message):
    with pytest.raises(ValueError, match=message):
        RtlSdrSource(**kw)


def test_unplugged_mid_stream_keeps_every_sample_and_fails_the_run():
    dongle = StandInDongle(unplug_after=100_000)
    src = RtlSdrSource(100e6, driver=dongle)
    fg = Flowgraph(chunk=10_000)
    sink = VectorSink()
    fg.connect(src, sink)
    with pytest.raises(BlockError, match=r"SourceFailed: the dongle failed: .*NO_DEVICE.*"
                                         r"100000 samples delivered, 0 dropped"):
        fg.run()
    np.testing.assert_array_equal(ramp_index(sink.data), np.arange(100_000) % 65536)
    tags = {t.key: t for t in sink.tags}
    assert tags["rx_rate"].value == 2.4e6 and tags["rx_freq"].value == 100e6
    whole, frac = tags["rx_time"].value
    assert tags["rx_time"].offset == 0 and abs(whole + frac - time.time()) < 60 and 0 <= frac < 1
    assert dongle.closed


class Sleepy(Block):
    """A sink too slow for the dongle: sleeps on every call."""

    inputs = [Port("in", COMPLEX64)]

    def __init__(self, seconds):
        self.seconds, self.chunks, self.tags = seconds, [], []

    def work(self, x):
        self.tags += [(t[0] + sum(map(len, self.chunks)), t[1], t[2]) for t in self.input_tags()]
        self.chunks.append(x.copy())
        time.sleep(self.seconds)


@pytest.mark.parametrize("rate", [2.4e6, 3.2e6])
def test_a_slow_consumer_makes_drops_that_are_counted_exactly(rate):
    dongle = StandInDongle(unplug_after=int(rate * 0.8))
    src = RtlSdrSource(100e6, rate=rate, buffer_seconds=0.05, driver=dongle)
    sink = Sleepy(0.04)
    fg = Flowgraph(chunk=32768)
    fg.connect(src, sink)
    with pytest.raises(BlockError, match="unplugged"):
        fg.run()
    got = np.concatenate(sink.chunks)
    counts = src.counters()
    assert counts["samples_dropped"] > 0
    assert dongle.sent - len(got) == counts["samples_dropped"]
    assert counts["samples_received"] == dongle.sent
    overflow = [(offset, value) for offset, key, value in sink.tags if key == "overflow"]
    assert len(overflow) == counts["gaps"] and sum(v for _, v in overflow) == counts["samples_dropped"]
    # Between gaps the samples are consecutive; at each gap the index jumps by what was dropped
    # (modulo the ramp's 65536, so a drop of a whole number of ramps looks consecutive).
    step = np.diff(ramp_index(got)) % 65536
    jumps = {int(i) + 1: int(step[i]) for i in np.nonzero(step != 1)[0]}
    expected = {offset: (value + 1) % 65536 for offset, value in overflow
                if offset > 0 and (value + 1) % 65536 != 1}
    assert jumps == expected


def streaming(dongle, sent):
    """A source on ``dongle`` into a VectorSink, started, once ``sent`` samples have come."""
    src = RtlSdrSource(100e6, driver=dongle)
    sink = VectorSink()
    fg = Flowgraph(chunk=16384)
    fg.connect(src, sink)
    reached = dongle.when_sent(sent)
    fg.start()
    assert reached.wait(30)
    return src, sink, fg


def test_retune_by_message_while_streaming_tags_the_first_new_sample():
    dongle = StandInDongle(unplug_after=400_000)
    src, sink, fg = streaming(dongle, 100_000)
    fg.post(src, "ctrl", {"frequency": 101.1e6})
    with pytest.raises(BlockError, match="unplugged"):
        fg.wait()
    retuned_at = [sent for name, value, sent in dongle.settings if value == 101100000][0]
    tags = [t for t in sink.tags if t.key == "rx_freq"]
    assert [t.value for t in tags] == [100e6, 101.1e6]
    # The tagged sample was taken after the retune, and nothing before it claims the new frequency.
    assert ramp_index(sink.data[tags[1].offset:tags[1].offset + 1])[0] == tags[1].offset % 65536
    assert tags[1].offset >= retuned_at
    assert any(t.key == "rx_time" and t.offset == tags[1].offset for t in sink.tags)
    assert ("center_freq", 101100000) in [(n, v) for n, v, _ in dongle.settings]


class Tuned:
    """What a test dongle hears: every sample says where the dongle was tuned, I = (f − 125
    MHz) / 100 MHz: −0.25 at 100 MHz, +0.25 at 150 MHz."""

    frequency = 0.0

    def __init__(self, rate):
        self.rate = rate

    def start(self, rate):
        pass

    def set_frequency(self, frequency):
        self.frequency = frequency

    def work(self, n):
        return np.full(n, (self.frequency - 125e6) / 100e6, np.complex64)


def test_after_a_retune_at_most_the_usb_buffer_in_flight_is_from_the_old_frequency():
    """The stand-in dongle hearing the air (``air=``) makes each USB buffer at the frequency
    tuned when it began to fill, as the tuner does: after a retune, the source's ``rx_freq``
    tag comes first, then what is left of the buffer in flight from before, then only the new
    frequency. Sweeps (``scan``, ``stations``) skip ``settle`` (10 ms) past the tag for it."""
    dongle = StandInDongle(air=Tuned, unplug_after=400_000)
    src, sink, fg = streaming(dongle, 100_000)
    fg.post(src, "ctrl", {"frequency": 150e6})
    with pytest.raises(BlockError, match="unplugged"):
        fg.wait()
    tuned = np.where(sink.data.real < 0, 100, 150)  # MHz
    tag = [t for t in sink.tags if t.key == "rx_freq"][1]
    assert tag.value == 150e6 and len(sink.data) == 400_000
    assert set(tuned[:tag.offset]) == {100}
    stale = int(np.argmax(tuned[tag.offset:] != 100))
    assert stale <= RtlSdrSource.USB_SAMPLES < 0.01 * 2.4e6
    assert set(tuned[tag.offset + stale:]) == {150}


def test_a_frequency_beyond_this_dongles_tuner_is_refused_and_the_stream_goes_on():
    """An R820T has no PLL values above 1766 MHz: librtlsdr would fail the setter and pyrtlsdr
    close the device under the running stream. The source refuses the retune first, naming the
    tuner, at start and while streaming, and the stream goes on."""
    fg = Flowgraph()
    fg.connect(RtlSdrSource(1900e6, driver=StandInDongle()), NullSink())  # 22–2200 MHz passes
    with pytest.raises(GraphError, match="1900 MHz is beyond this dongle's R820T tuner "
                                         r"\(24–1766 MHz\)"):
        fg.start()
    dongle = StandInDongle(unplug_after=300_000)
    src, _, fg = streaming(dongle, 50_000)
    fg.post(src, "ctrl", {"frequency": 2000e6})
    fg.post(src, "ctrl", {"frequency": 101.1e6})  # after the refusal, a retune still works
    with pytest.raises(BlockError, match="unplugged"):  # the stream ran to its end
        fg.wait()
    tuned = [value for name, value, _ in dongle.settings if name == "center_freq"]
    assert tuned == [100_000_000, 101_100_000]
    assert [r["messages_rejected"] for r in fg.stats() if r["block"] == src.name] == [1]


@pytest.mark.parametrize("tuner, frequency, reach", [
    ("FC2580", 400e6, "146–308, 438–924 MHz"),   # no band between 308 and 438 MHz
    ("E4000", 1200e6, "52–1100, 1250–2200 MHz"),  # its PLL does not lock there
])
def test_a_frequency_in_a_tuners_gap_is_refused_with_its_bands(tuner, frequency, reach):
    fg = Flowgraph()
    fg.connect(RtlSdrSource(frequency, driver=StandInDongle(tuner=tuner)), NullSink())
    with pytest.raises(GraphError, match=f"{frequency / 1e6:g} MHz is beyond this dongle's "
                                         f"{tuner} tuner \\({reach}\\)"):
        fg.start()
    source = RtlSdrSource(500e6, driver=StandInDongle(tuner=tuner))
    fg = Flowgraph()
    fg.connect(source, Head(10_000), NullSink())
    fg.run()  # both tuners reach 500 MHz
    with pytest.raises(ValueError, match="beyond this dongle's"):
        source.check_frequency(frequency)


def test_a_setter_the_dongle_fails_ends_the_stream_with_every_sample_and_the_reason():
    """pyrtlsdr closes the device when a setter fails (a retune from another thread has failed
    with -9 PIPE), and the reader may then hang on the closed device. The stream ends: every
    sample captured before is delivered, and the run fails naming what failed."""
    dongle = StandInDongle(refuse=("center_freq", 101_100_000))
    src, sink, fg = streaming(dongle, 100_000)
    fg.post(src, "ctrl", {"frequency": 101.1e6})
    with pytest.raises(BlockError, match=r"failed to set the frequency to 1.011e\+08 Hz "
                                         r"\(.*LIBUSB_ERROR_PIPE.*\); pyrtlsdr closed it; "
                                         r"(\d+) samples delivered, 0 dropped"):
        fg.wait(60)
    counts = src.counters()
    assert len(sink.data) == counts["samples_delivered"] == counts["samples_received"] >= 100_000
    assert (np.diff(ramp_index(sink.data)) % 65536 == 1).all()  # nothing lost on the way
    assert dongle.closed


def test_the_capture_ring_holds_its_seconds_at_any_rate_a_client_sets():
    """``serve`` lets a client pick the rate: the ring is sized for the highest, so a client
    that starts at 1.024 MS/s and moves to 3.2 MS/s still has half a second of slack."""
    dongle = StandInDongle(unplug_after=400_000)
    src = RtlSdrSource(100e6, rate=1.024e6, driver=dongle, rate_changes=True)
    fg = Flowgraph(chunk=16384)
    fg.connect(src, VectorSink())
    fg.start()
    fg.post(src, "ctrl", {"sample_rate": 3.2e6})
    with pytest.raises(BlockError, match="unplugged"):
        fg.wait()
    assert ("sample_rate", 3_200_000) in [(n, v) for n, v, _ in dongle.settings]
    assert src._ring.capacity >= src.buffer_seconds * 3.2e6


def test_gain_and_ppm_change_while_streaming():
    dongle = StandInDongle(unplug_after=200_000)
    src, _, fg = streaming(dongle, 50_000)
    fg.post(src, "ctrl", {"gain": 40, "correction_ppm": -3})
    with pytest.raises(BlockError, match="unplugged"):
        fg.wait()
    names = [(n, v) for n, v, _ in dongle.settings]
    assert ("gain", 40.2) in names and ("freq_correction", -3) in names


@pytest.mark.slow
def test_stereo_wbfm_at_3_2_msps_for_20_s_drops_nothing():
    rate = 3.2e6
    station = StandInDongle.fm_station(rate, seconds=1.0, right_tones=(2000.0,), right_levels=(0.5,))
    dongle = StandInDongle(data=station, unplug_after=int(20 * rate))
    src = RtlSdrSource(98.5e6, rate=rate, driver=dongle)
    rx = WBFMStereoReceiver(channel_decimation=10, audio_decimation=5)
    left, right = VectorSink(), VectorSink()
    fg = Flowgraph()
    fg.connect(src, rx)
    fg.connect((rx, "left"), left)
    fg.connect((rx, "right"), right)
    with pytest.raises(BlockError, match="unplugged"):
        fg.run()
    assert src.counters()["samples_dropped"] == 0
    assert src.counters()["samples_delivered"] == 20 * rate
    assert len(left.data) == len(right.data) == 20 * 64000
