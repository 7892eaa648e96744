"""One way to name a source: every form of `sdrflow.sources`, SI numbers, and the errors."""
import numpy as np
import pytest

from sdrflow import Flowgraph
from sdrflow.blocks import (BandSource, FileSource, FMStationSource, Head, RtlSdrSource,
                            RtlTcpSource, VectorSink, WAVSource, ZMQPullSource, ZMQSubSource)
from sdrflow.sources import SourceError, open_source, parse, source_chain, with_option
from sdrflow.units import si


@pytest.mark.parametrize("text, value", [("98.5M", 98.5e6), ("2.4M", 2.4e6), ("250k", 250e3),
                                         ("12.5kHz", 12.5e3), ("2.4e6", 2.4e6), ("1G", 1e9),
                                         (" 433.92M ", 433.92e6), ("-5k", -5e3), (3, 3.0)])
def test_si_numbers(text, value):
    assert si(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["98.5 MHz extra", "M", "1.2.3", "", "12x"])
def test_si_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError, match="not a number"):
        si(text)


def test_sim_forms():
    opened = open_source("sim", frequency=98.5e6, seconds=1)
    assert isinstance(opened.block, FMStationSource) and opened.frequency == 98.5e6
    stereo = open_source("sim:fm?cnr=20&stereo=1", seconds=1).block
    assert stereo.cnr_db == 20 and stereo.right_tones is not None
    for kind in ("am", "nbfm", "usb", "lsb"):
        block = open_source(f"sim:{kind}?offset=-1000", seconds=1).block
        assert isinstance(block, BandSource) and block.stations[0][:2] == (-1000, kind)
    assert len(open_source("sim:band", seconds=1).block.stations) == 3


def test_rtl_forms_reach_the_source_without_opening_anything():
    block = open_source("rtl", frequency=98.5e6).block
    assert isinstance(block, RtlSdrSource) and block.device == 0 and block.gain is None
    block = open_source("rtl:00000001?gain=30&ppm=1&bias=1&direct=q&agc=1&buffer=1", frequency=14.2e6).block
    assert (block.device, block.gain, block.correction_ppm, block.bias_tee, block.direct_sampling,
            block.rtl_agc, block.buffer_seconds) == ("00000001", 30.0, 1, True, "q", True, 1.0)
    assert open_source("rtl:1?freq=100M&rate=1.024M").block.sample_rate == 1.024e6
    assert open_source("rtl?sim=fmband", frequency=95.2e6).block.driver.air is not None
    assert open_source("rtl?sim=yes", frequency=95.2e6).block.driver.air is None
    tcp = open_source("rtl_tcp:pi.local", frequency=98.5e6).block
    assert isinstance(tcp, RtlTcpSource) and (tcp.host, tcp.port) == ("pi.local", 1234)
    tcp = open_source("rtl_tcp:192.0.2.7:1235?gain=20", frequency=98.5e6).block
    assert (tcp.host, tcp.port, tcp.gain) == ("192.0.2.7", 1235, 20.0)


def test_file_forms(tmp_path):
    rec = tmp_path / "rec.cu8"
    np.full(2000, 128, np.uint8).tofile(rec)
    opened = open_source(f"file:{rec}?rate=2.4M&format=cu8&freq=98.5M")
    assert isinstance(opened.block, FileSource) and opened.rate == 2.4e6 and opened.frequency == 98.5e6
    assert open_source(str(rec), rate=1e6).block.format == "cu8"  # the format from the extension
    with pytest.raises(SourceError, match=r"does not say its sample rate; give it \(-s 2.4M"):
        open_source(str(rec))
    wav = tmp_path / "iq.wav"
    from sdrflow.blocks import WAVSink
    from sdrflow.testing import run_block
    run_block(WAVSink(str(wav), channels=2), [np.zeros(100, np.float32)] * 2, rate=48000)
    assert isinstance(open_source(str(wav)).block, WAVSource)


def test_zmq_form():
    block = open_source("zmq+tcp://127.0.0.1:5556?rate=2.4M").block
    assert isinstance(block, ZMQSubSource)
    assert isinstance(open_source("zmq+tcp://127.0.0.1:5556?rate=2.4M&pattern=pull").block, ZMQPullSource)
    with pytest.raises(SourceError, match=r"needs its rate"):
        open_source("zmq+tcp://127.0.0.1:5556")


@pytest.mark.parametrize("uri, message", [
    ("nope://x", "unknown source"), ("sim:tv", "unknown simulation"), ("rtl_tcp:", "HOST or HOST:PORT"),
    ("rtl?colour=red", "unknown option"), ("file:", "needs a path"), ("", "empty source name"),
    ("rec.xyz", "cannot tell the format"), ("missing.cu8", "no such file"),
    ("rtl?sim=band", r"sim='band' is 1 \(a station in a loop\) or fmband"),
    ("rtl?bias=maybe", "option bias='maybe' must be 1 or 0"),
])
def test_malformed_names_show_the_accepted_forms(uri, message):
    with pytest.raises(SourceError, match=message) as refused:
        open_source(uri, frequency=98.5e6, rate=2.4e6, seconds=1)
    assert "accepted sources:" in str(refused.value) and "rtl_tcp:HOST[:PORT]" in str(refused.value)


def test_source_chain_bounds_and_paces():
    chain, opened = source_chain("sim", seconds=0.01)
    assert len(chain) == 1 and isinstance(chain[0], FMStationSource)
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(*chain, sink)
    fg.run()
    assert len(sink.data) == 24000
    with pytest.raises(SourceError, match="endless"):
        source_chain("sim")
    chain, _ = source_chain("rtl", frequency=98.5e6, seconds=2)
    assert isinstance(chain[1], Head) and chain[1].count == 4_800_000
    assert parse("sim").kind == "sim"


@pytest.mark.parametrize("name, frequency, rate", [
    ("sensibleliving_g002_433.92M_250k.cu8", 433.92e6, 250e3),         # rtl_433
    ("modes1_1090M_2000k.cu8", 1090e6, 2e6),
    ("SDRSharp_20160101_231914Z_145000000Hz_IQ.wav", 145e6, None),     # SDR#
    ("baseband_98500000Hz_23-19-14_01-01-2016.wav", 98.5e6, None),     # SDR++
    ("HDSDR_20160101_231914Z_7100kHz_RF.wav", 7.1e6, None),            # HDSDR
    ("/data/airband_118.5MHz_2.4Msps.cu8", 118.5e6, 2.4e6),
    ("rec.wav", None, None), ("x2400000Hz_g002.wav", None, None), ("a_5Hzz_3kb.cu8", None, None)])
def test_a_recordings_frequency_and_rate_come_from_its_name_as_rtl_433_reads_them(name, frequency,
                                                                                  rate):
    from sdrflow.sources import name_info

    assert name_info(name) == (frequency, rate)


def test_an_option_is_added_to_a_source_name_unless_it_gives_one():
    assert with_option("sim", "offset", -600000) == "sim?offset=-600000"
    assert with_option("sim:fm?rds=1", "offset", 5) == "sim:fm?rds=1&offset=5"
    assert with_option("sim:fm?offset=7", "offset", 5) == "sim:fm?offset=7"  # the user's wins
