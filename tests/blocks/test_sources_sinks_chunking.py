"""The blocks test_chunking.py cannot run as filters, each checked in its own kind: a source
gives the same stream however much is asked of it at a time; a sink writes the same file
however much it is handed; a decoder finds the same messages."""
import json
import wave

import numpy as np
import pytest

from sdrflow import Flowgraph
from sdrflow.blocks import (BandSource, FileSink, FileSource, FMBandSource, FMStationSource,
                            MessageSink,
                            ModeSSource, ModeSDemod, ModeSDecoder, NoiseSource, OOKDemod,
                            OOKSource, RadioHeadDecoder, RDSDecoder, RDSDemod, SigMFSink,
                            SigMFSource, SignalSource, VectorSource, WAVSink, WAVSource)
from sdrflow.blocks.radio_head_decoder import encode
from sdrflow.sources import SENSIBLE_LIVING
from sdrflow.testing import assert_sink_chunk_invariant, assert_source_reproducible

RNG = np.random.default_rng(11)
IQ = (RNG.standard_normal(20_000) + 1j * RNG.standard_normal(20_000)).astype(np.complex64) * 0.3
AUDIO = (0.5 * np.sin(2 * np.pi * 440 * np.arange(20_000) / 48e3)).astype(np.float32)

SOURCES = {
    "FMStationSource": lambda: FMStationSource(seed=3),
    "FMStationSource with RDS": lambda: FMStationSource(seed=3, rds={"ps": "TEST"}),
    "FMBandSource": lambda: FMBandSource(frequency=98.7e6, seed=3),  # two stations in view
    "NoiseSource": lambda: NoiseSource(rate=1e6, seed=5),
    "SignalSource": lambda: SignalSource(1234.5, rate=48e3),
    "VectorSource": lambda: VectorSource(np.arange(777, dtype=np.float32), rate=1, repeat=True),
    "BandSource": lambda: BandSource(rate=240e3, stations=((20e3, "am", -20, 1000),
                                                         (-50e3, "nbfm", -30, 400)), seed=2),
    "ModeSSource": lambda: ModeSSource(per_second=500, seed=4),
    "OOKSource": lambda: OOKSource(encode(SENSIBLE_LIVING), bit_rate=1000, rate=250e3,
                                   interval=0.3, snr_db=20, seed=1),
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_source_gives_the_same_stream_whatever_is_asked_at_a_time(name):
    stream = assert_source_reproducible(SOURCES[name], 30_000)
    assert np.any(stream != 0)


@pytest.fixture
def recordings(tmp_path):
    (tmp_path / "iq.cf32").write_bytes(IQ.tobytes())
    cu8 = np.clip(np.round(np.column_stack([IQ.real, IQ.imag]).ravel() * 127.5 + 127.5), 0, 255)
    (tmp_path / "iq.cu8").write_bytes(cu8.astype(np.uint8).tobytes())
    with wave.open(str(tmp_path / "a.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(48000)
        w.writeframes((AUDIO * 32767).astype("<i2").tobytes())
    fg = Flowgraph()
    fg.connect(VectorSource(IQ, rate=2.4e6), SigMFSink(str(tmp_path / "rec.sigmf-meta"), frequency=1e8))
    fg.run()
    return tmp_path


@pytest.mark.parametrize("kind", ["cf32", "cu8", "wav", "sigmf"])
def test_a_file_source_reads_the_same_stream_whatever_is_asked_at_a_time(recordings, kind):
    make = {"cf32": lambda: FileSource(str(recordings / "iq.cf32"), rate=2.4e6),
            "cu8": lambda: FileSource(str(recordings / "iq.cu8"), rate=2.4e6),
            "wav": lambda: WAVSource(str(recordings / "a.wav")),
            "sigmf": lambda: SigMFSource(str(recordings / "rec.sigmf-meta"))}[kind]
    stream = assert_source_reproducible(make, 20_000)
    expected = AUDIO if kind == "wav" else IQ
    if kind == "cu8":  # the 8-bit grid clips at ±1
        expected = np.clip(IQ.real, -1, 1) + 1j * np.clip(IQ.imag, -1, 1)
    np.testing.assert_allclose(stream, expected, atol=1 / 127 if kind in ("cu8", "wav") else 0)


@pytest.mark.parametrize("kind", ["raw", "cu8", "cs16", "wav", "sigmf"])
def test_a_sink_writes_the_same_file_whatever_it_is_handed_at_a_time(tmp_path, kind):
    if kind == "wav":
        data = assert_sink_chunk_invariant(lambda p: WAVSink(str(p)), AUDIO, tmp_path / "o.wav", rate=48e3)
        assert len(data) == 80 + 2 * len(AUDIO)
        return
    if kind == "sigmf":  # the data file; the metadata says when it was written
        data = assert_sink_chunk_invariant(
            lambda p: SigMFSink(str(p), frequency=1e8), IQ, tmp_path / "o.sigmf-meta", rate=2.4e6,
            read=lambda p: p.with_suffix(".sigmf-data").read_bytes())
        assert data == IQ.tobytes()
        return
    data = assert_sink_chunk_invariant(lambda p: FileSink(str(p), format=kind), IQ,
                                       tmp_path / f"o.{kind}", rate=2.4e6)
    assert len(data) == len(IQ) * {"raw": 8, "cu8": 2, "cs16": 4}[kind]


def _stream(source, items):
    from sdrflow.blocks import Head, VectorSink

    fg, sink = Flowgraph(), VectorSink()
    fg.connect(source, Head(items), sink)
    fg.run()
    return sink.data


def _multiplex(station):
    """The FM multiplex of a simulated station at 240 kHz."""
    from sdrflow.blocks import FMDemod, LowpassFilter, VectorSink

    fg, sink = Flowgraph(), VectorSink()
    fg.connect(station, LowpassFilter(100e3, transition=40e3, decimation=10), FMDemod(75e3), sink)
    fg.run()
    return sink.data


def _decoded(x, rate, chunks, demod, demod_port, decoder):
    """What ``decoder`` sends for ``x`` demodulated by ``demod``, the stream fed in ``chunks``."""
    from sdrflow.blocks import NullSink
    from sdrflow.testing import _ChunkedSource

    fg, sink = Flowgraph(chunk=max(chunks)), MessageSink()
    fg.connect(_ChunkedSource(x, rate, chunks), demod)
    for o in range(len(demod.outputs)):
        fg.connect((demod, o), NullSink())
    fg.connect((demod, demod_port), (decoder, "in"))
    fg.connect((decoder, "out"), (sink, "in"))
    fg.run()
    return [json.dumps(m, sort_keys=True, default=str) for m in sink.messages]


@pytest.mark.parametrize("decoder", ["ModeSDecoder", "RadioHeadDecoder", "RDSDecoder"])
def test_a_decoder_finds_the_same_messages_whatever_it_is_handed_at_a_time(decoder):
    if decoder == "ModeSDecoder":
        x, rate = _stream(ModeSSource(per_second=400, seed=9), 400_000), 2e6
        chain = lambda: (ModeSDemod(), "frames", ModeSDecoder())  # noqa: E731
    elif decoder == "RDSDecoder":
        x, rate = _multiplex(FMStationSource(seconds=1.5, rds={}, seed=2)), 240e3
        chain = lambda: (RDSDemod(), "out", RDSDecoder())  # noqa: E731
    else:
        x, rate = _stream(SOURCES["OOKSource"](), 250_000), 250e3
        chain = lambda: (OOKDemod(bit_rate=1000), "bursts", RadioHeadDecoder("sensible_living"))  # noqa: E731
    runs = [_decoded(x, rate, chunks, *chain()) for chunks in ([len(x)], [4093, 61, 1000], [997])]
    assert runs[0], "nothing decoded"
    assert runs[1] == runs[0] and runs[2] == runs[0]
