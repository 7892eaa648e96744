"""RadioHead ASK over OOK: the encoder and decoder agree, the real Sensible Living capture
decodes to rtl_433's fields, glitches and noise spikes make no bits or bursts."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sdrflow import Flowgraph
from sdrflow.blocks import FileSource, MessageSink, NullSink, OOKDemod, OOKSource, RadioHeadDecoder, VectorSource
from sdrflow.blocks.radio_head_decoder import crc16, decode, encode
from sdrflow.sources import SENSIBLE_LIVING
from sdrflow.testing import assert_chunk_invariant, assert_source_reproducible

FS = 250e3
CAPTURE = "ook433/sensibleliving_g002_433.92M_250k.cu8"


def decoded(source, bit_rate=1000, model="sensible_living", **demod):
    fg = Flowgraph(chunk=8192)
    ook, rh = OOKDemod(bit_rate=bit_rate, **demod), RadioHeadDecoder(model)
    fg.connect(source, ook, NullSink())
    fg.connect((ook, "bursts"), (rh, "in"))
    fg.run()
    return ook, rh


def test_a_long_run_keeps_the_latest_bursts_and_messages_and_counts_them_all(monkeypatch):
    monkeypatch.setattr(OOKDemod, "KEEP", 2)
    monkeypatch.setattr(RadioHeadDecoder, "KEEP", 2)
    source = OOKSource(encode(b"hello"), bit_rate=1000, rate=FS, interval=0.2, snr_db=20,
                       seconds=1.1, seed=3)  # five bursts of 0.144 s, each followed by silence
    ook, rh = decoded(source, model="radiohead")
    assert len(source.sent) == ook.bursts_found == rh.decoded_count == 5
    assert len(ook.bursts) == len(rh.decoded) == 2
    assert np.allclose([m["time"] for m in rh.decoded], list(source.sent)[-2:], atol=2e-3)  # the last two


def test_a_burst_at_the_very_end_of_a_recording_is_decoded():
    # The last burst ends 6 ms before the recording does, short of the 10 ms of silence that
    # closes a burst: the end of the input closes it, and its message reaches the decoder.
    source = OOKSource(encode(b"hello"), bit_rate=1000, rate=FS, interval=0.2, snr_db=20,
                       seconds=1.05, seed=3)
    ook, rh = decoded(source, model="radiohead")
    assert ook.bursts_found == rh.decoded_count == 5
    assert [bytes.fromhex(m["data"]) for m in rh.decoded] == [b"hello"] * 5


def test_crc_is_radioheads_ccitt():
    # CRC-16/MCRF4XX (reflected 0x1021, init 0xFFFF, no final xor): check value of "123456789".
    assert crc16(b"123456789") == 0x6F91


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=60))
def test_every_payload_comes_back(payload):
    assert decode(encode(payload)) == (payload, "ok")


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=20), st.data())
def test_a_flipped_bit_never_passes(payload, data):
    bits = encode(payload)
    at = data.draw(st.integers(48, len(bits) - 1))  # past the preamble and start symbol
    bits[at] ^= 1
    message, why = decode(bits)
    assert message is None and why in ("bad symbol", "crc", "bad length", "short")


def test_decoding_refuses_what_it_cannot_read():
    assert decode([1, 0] * 40) == (None, "no start symbol")
    assert decode(encode(b"abc")[:-12]) == (None, "short")
    assert decode(encode(b"abc") + [0] * 30) == (b"abc", "ok")  # silence after it is fine
    with pytest.raises(ValueError, match="at most 64"):
        encode(bytes(65))
    with pytest.raises(ValueError, match="model must be one of"):
        RadioHeadDecoder("acurite")


def test_real_capture_decodes_to_rtl_433s_fields(real_data):
    expected = json.loads((real_data / "ook433" / "sensibleliving_g002_433.92M_250k.rtl_433-22.11.json")
                          .read_text().splitlines()[0])
    _, rh = decoded(FileSource(str(real_data / CAPTURE), rate=FS))
    assert len(rh.decoded) == 1 and rh.rejected == {}
    ours = rh.decoded[0]
    for key in ("model", "house_id", "module_id", "sensor_type", "sensor_count", "alarms",
                "sensor_value", "battery_mV", "mic"):
        assert ours[key] == expected[key], key
    assert ours["time"] == pytest.approx(float(expected["time"].strip("@s")), abs=4e-6)
    assert (ours["house_id"], ours["module_id"], ours["sensor_value"], ours["battery_mV"]) == (2, 24621, 1000, 2960)


def test_simulated_sensor_sends_the_real_sensors_reading():
    source = OOKSource(encode(SENSIBLE_LIVING), bit_rate=1000, rate=FS, interval=0.5, seconds=2.2)
    _, rh = decoded(source)
    # Bursts start at 0.25 s and every 0.5 s; the preamble's first bit is a 0 (no carrier).
    assert [round(m["time"], 4) for m in rh.decoded] == [0.251, 0.751, 1.251, 1.751]
    assert all(m["data"] == SENSIBLE_LIVING.hex() and m["battery_mV"] == 2960 for m in rh.decoded)


@pytest.mark.parametrize("bit_rate", [1000, 2000])
def test_no_bit_errors_at_12_db(bit_rate):
    payloads = [bytes(np.random.default_rng(s).integers(0, 256, 12, dtype=np.uint8)) for s in range(5)]
    for k, payload in enumerate(payloads):
        source = OOKSource(encode(payload), bit_rate=bit_rate, rate=FS, interval=0.3, snr_db=12,
                           seconds=1.0, seed=k)
        ook, rh = decoded(source, bit_rate=bit_rate, model="radiohead")
        assert len(ook.bursts) == 3
        assert [bytes.fromhex(m["data"]) for m in rh.decoded] == [payload] * 3


def burst_with(extra, bits=(1, 0, 1, 1, 0, 0, 1, 0, 1), bit_rate=1000.0, snr_db=25.0):
    """A burst with something added to its envelope (glitch, dropout), in noise."""
    spb = int(FS / bit_rate)
    env = np.concatenate([np.zeros(int(0.03 * FS)), np.repeat(bits, spb), np.zeros(int(0.03 * FS))]).astype(float)
    extra(env, int(0.03 * FS), spb)
    rng = np.random.default_rng(1)
    noise = (rng.standard_normal(len(env)) + 1j * rng.standard_normal(len(env))) / np.sqrt(2)
    return (env + noise * 10 ** (-snr_db / 20)).astype(np.complex64)


def test_a_100_us_glitch_is_no_bit():
    bits = [1, 0, 1, 1, 0, 0, 1, 0, 1]

    def glitch(env, start, spb):  # 100 us of carrier in the middle of the two-bit gap
        at = start + 4 * spb + spb // 2
        env[at:at + int(100e-6 * FS)] = 1.0

    ook, _ = decoded(VectorSource(burst_with(glitch), rate=FS))
    assert [b["bits"] for b in ook.bursts] == [bits]


def test_a_short_dropout_does_not_split_a_pulse():
    def dropout(env, start, spb):  # 20 us of nothing inside the two-bit pulse
        at = start + 2 * spb + spb
        env[at:at + int(20e-6 * FS)] = 0.0

    ook, _ = decoded(VectorSource(burst_with(dropout), rate=FS))
    assert len(ook.bursts) == 1 and len(ook.bursts[0]["pulses"]) == 4


@pytest.mark.parametrize("seed", range(3))
def test_noise_spikes_make_no_bursts_at_6_db(seed):
    rng = np.random.default_rng(seed)
    noise = ((rng.standard_normal(500_000) + 1j * rng.standard_normal(500_000)) * 0.01).astype(np.complex64)
    ook, _ = decoded(VectorSource(noise, rate=FS), snr_db=6)
    assert not ook.bursts
    # Without the minimum width the same spikes (8-36 us) are taken for bursts.
    ook, _ = decoded(VectorSource(noise, rate=FS), snr_db=6, min_pulse=1e-6)
    assert len(ook.bursts) > 10


def test_glitch_rejection_is_chunk_invariant():
    x = burst_with(lambda env, start, spb: env.__setitem__(slice(start + 10, start + 30), 0.0))
    assert_chunk_invariant(lambda: OOKDemod(min_pulse=100e-6), x, rate=FS)


def test_ook_source_is_reproducible_in_any_chunking():
    y = assert_source_reproducible(
        lambda: OOKSource([1, 0, 1, 1, 0, 1], bit_rate=2000, rate=FS, interval=0.01, seed=3), 12_000)
    assert np.abs(y).max() > 0.9  # the bursts are there


def test_ook_source_refuses_bad_parameters():
    for kw, match in (({"bits": [0, 0]}, "at least one 1"), ({"bits": [1, 2]}, "0s and 1s"),
                      ({"bits": [1] * 2000, "interval": 1.0}, "longer than the interval"),
                      ({"bits": [1], "offset": 200e3}, "outside")):
        with pytest.raises(ValueError, match=match):
            OOKSource(**kw)


def test_message_sink_writes_json_lines(tmp_path):
    path = tmp_path / "out.jsonl"
    source = OOKSource(encode(SENSIBLE_LIVING), bit_rate=1000, rate=FS, interval=0.5, seconds=1.2)
    fg = Flowgraph()
    ook, rh, sink = OOKDemod(bit_rate=1000), RadioHeadDecoder("sensible_living"), MessageSink(jsonl=str(path))
    fg.connect(source, ook, NullSink())
    fg.connect((ook, "bursts"), (rh, "in"))
    fg.connect((rh, "out"), (sink, "in"))
    fg.run()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == sink.messages and [m["sensor_value"] for m in lines] == [1000, 1000]
