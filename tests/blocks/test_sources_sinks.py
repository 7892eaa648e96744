"""Sources, sinks, Head, MultiplyConst: references and chunk invariance."""
import wave

import numpy as np
import pytest

from sdrflow import Flowgraph
from sdrflow.blocks import (FileSink, FileSource, FMBandSource, FMDemod, FMStationSource, Head,
                            MultiplyConst,
                            NoiseSource, SignalSource, VectorSink, VectorSource, WAVSink)
from sdrflow.testing import assert_chunk_invariant, run_block

rng = np.random.default_rng(5)
X = (rng.standard_normal(5000) + 1j * rng.standard_normal(5000)).astype(np.complex64)


def collect(src, n, chunk=4096):
    fg = Flowgraph(chunk=chunk)
    sink = VectorSink()
    fg.connect(src, Head(n), sink)
    fg.run()
    return sink


def test_multiply_const_complex_and_real():
    y = assert_chunk_invariant(lambda: MultiplyConst(2 - 1j), X, rate=1e3)
    np.testing.assert_allclose(y, X * (2 - 1j), rtol=1e-6)
    xf = X.real.copy()
    np.testing.assert_allclose(assert_chunk_invariant(lambda: MultiplyConst(-3.0), xf), -3 * xf)
    # A real constant on complex items (scaled as float32 pairs) gives the complex product.
    y = assert_chunk_invariant(lambda: MultiplyConst(-0.3), X, rate=1e3)
    np.testing.assert_array_equal(y, X * np.complex64(-0.3))
    with pytest.raises(ValueError, match="complex constant needs a complex64 stream"):
        run_block(MultiplyConst(1j), xf)


def test_head_passes_exactly_count_items():
    y = assert_chunk_invariant(lambda: Head(1234), X, rate=1e3)
    np.testing.assert_array_equal(y, X[:1234])


@pytest.mark.parametrize("chunk", [1, 77, 4096])
def test_signal_source_is_the_same_in_any_chunking(chunk):
    sink = collect(SignalSource(1e3, rate=48e3, amplitude=0.5), 3000, chunk)
    np.testing.assert_allclose(sink.data, 0.5 * np.exp(2j * np.pi * 1e3 / 48e3 * np.arange(3000)), atol=2e-6)
    real = collect(SignalSource(1e3, rate=48e3, real=True), 300, chunk).data
    assert real.dtype == np.float32
    np.testing.assert_allclose(real, np.cos(2 * np.pi * 1e3 / 48e3 * np.arange(300)), atol=2e-6)


def test_noise_source_power_and_reproducibility():
    a = collect(NoiseSource(1e6, amplitude=0.1, seed=4), 200_000).data
    b = collect(NoiseSource(1e6, amplitude=0.1, seed=4), 200_000, chunk=999).data
    np.testing.assert_array_equal(a, b)
    assert np.mean(np.abs(a) ** 2) == pytest.approx(0.01, rel=0.02)
    assert abs(np.mean(a.real * a.imag)) < 1e-4


def test_fm_station_is_reproducible_independent_of_chunking_and_tagged():
    a = collect(FMStationSource(seconds=0.01, seed=3), 24_000)
    b = collect(FMStationSource(seconds=0.01, seed=3), 24_000, chunk=1001)
    np.testing.assert_array_equal(a.data, b.data)
    assert {t.key: t.value for t in a.tags} == {"rx_freq": 98.5e6, "rx_rate": 2.4e6}
    levels = np.unique(np.round(a.data.real * 127.5 + 127.5, 3))
    assert np.allclose(levels, np.round(levels))  # on the 8-bit grid


def test_a_retuned_fm_station_stays_on_its_frequency_and_leaves_the_band():
    source = FMStationSource(seconds=0.01, cnr_db=200, quantize=False)
    source.set_frequency(98.8e6)  # the station, at 98.5 MHz, is now 300 kHz below the centre
    moved = collect(source, 24_000).data
    spec = np.abs(np.fft.fft(moved)) ** 2
    f = np.fft.fftfreq(len(moved), 1 / 2.4e6)
    centroid = np.sum(f * spec) / np.sum(spec)
    assert centroid == pytest.approx(-300e3, abs=5e3) and source.offset == -300e3
    source = FMStationSource(seconds=0.01, cnr_db=200, quantize=False)
    source.set_frequency(100e6)  # 1.5 MHz away: beyond the ±1.2 MHz band
    gone = collect(source, 24_000)
    assert np.max(np.abs(gone.data)) < 1e-3  # the noise of 200 dB CNR alone
    assert [t.value for t in gone.tags if t.key == "rx_freq"] == [100e6]
    for bad in (-1, "x", float("nan"), True):
        with pytest.raises(ValueError, match="frequency must be > 0 Hz"):
            source.set_frequency(bad)
    source.set_frequency(np.int64(98_500_000))  # numpy numbers are numbers
    assert source.offset == 0


def channel_db(y, offset, rate=2.4e6):
    """Power (dBFS) within ±100 kHz of ``offset``: one FM channel."""
    spec = np.abs(np.fft.fft(y)) ** 2 / len(y) ** 2
    f = np.fft.fftfreq(len(y), 1 / rate)
    return 10 * np.log10(spec[np.abs(f - offset) < 100e3].sum())


def test_fm_band_shows_the_stations_in_view_at_their_levels_over_its_noise_floor():
    source = FMBandSource(frequency=98.7e6, seconds=0.05, quantize=False)
    seen = collect(source, 120_000)
    assert channel_db(seen.data, -200e3) == pytest.approx(-14, abs=0.3)  # 98.5 MHz
    assert channel_db(seen.data, 200e3) == pytest.approx(-26, abs=0.3)   # 98.9 MHz
    assert channel_db(seen.data, 600e3) == pytest.approx(-55, abs=1)     # nobody at 99.3
    assert {t.key: t.value for t in seen.tags} == {"rx_freq": 98.7e6, "rx_rate": 2.4e6}
    source = FMBandSource(frequency=98.7e6, seconds=0.05, quantize=False)
    source.set_frequency(np.float64(88.3e6))  # the classical station at the centre
    moved = collect(source, 120_000).data
    assert channel_db(moved, 0) == pytest.approx(-18, abs=0.3)
    assert channel_db(moved, -400e3) == pytest.approx(-55, abs=1)  # nobody at 87.9
    assert source.names[88.3e6] == "CLASSIC" and source.names[107.4e6] is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(stations=[(98e6, -20.0)]), "a station is"),
    (dict(stations=[(98e6, 3.0, 1000.0, None)]), "below 0"),
    (dict(stations=[(98e6, -20.0, 1000.0, {"ps": "A~B"})]), "character"),
    (dict(seconds=0), "seconds must be > 0"),
    (dict(frequency="98.5M"), "frequency must be > 0 Hz"),
])
def test_fm_band_refuses_what_it_cannot_simulate(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FMBandSource(**kwargs)


def test_fm_station_deviation_and_cnr_are_what_was_asked():
    clean = collect(FMStationSource(seconds=0.1, cnr_db=200, quantize=False), 240_000).data
    freq = np.angle(clean[1:] * np.conj(clean[:-1])) * 2.4e6 / (2 * np.pi)
    assert np.max(np.abs(freq)) == pytest.approx(75e3, rel=0.01)
    noisy = collect(FMStationSource(seconds=0.1, cnr_db=20, quantize=False), 240_000).data
    noise = noisy - clean
    spec = np.abs(np.fft.fft(noise)) ** 2
    f = np.fft.fftfreq(len(noise), 1 / 2.4e6)
    noise_in_band = spec[np.abs(f) < 100e3].sum() / len(noise) ** 2
    assert 10 * np.log10(0.25 / noise_in_band) == pytest.approx(20, abs=0.3)


@pytest.mark.parametrize("fmt", ["cf32", "cu8", "cs8", "cs16"])
def test_file_sink_and_source_round_trip(tmp_path, fmt):
    x = (X * 0.5).astype(np.complex64)
    path = tmp_path / f"rec.{fmt}"
    run_block(FileSink(str(path), format=fmt), x, rate=1e6)
    step = {"cf32": 0, "cu8": 1 / 127.5, "cs8": 1 / 128, "cs16": 1 / 32768}[fmt]
    for chunks in (None, [1, 333]):
        fg = Flowgraph(chunk=1000)
        sink = VectorSink()
        fg.connect(FileSource(str(path), rate=1e6), sink)
        fg.run()
        top = 1 - step if fmt != "cu8" else 1  # signed formats end one step short of +1
        want = x if fmt == "cf32" else np.clip(x.real, -1, top) + 1j * np.clip(x.imag, -1, top)
        np.testing.assert_allclose(sink.data, want, atol=step * 0.71 + 1e-6)  # half a step on I and Q
    assert sink.tags[0].key == "rx_rate"


def test_cf32_is_what_gnuradio_writes(tmp_path):
    path = tmp_path / "x.cf32"
    X.tofile(path)  # GNU Radio's file sink writes the raw complex64 bytes
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(FileSource(str(path), rate=1), sink)
    fg.run()
    np.testing.assert_array_equal(sink.data, X)


def test_file_source_refuses_bad_files(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        FileSource(str(tmp_path / "missing.cu8"), rate=1e6)
    odd = tmp_path / "odd.cu8"
    odd.write_bytes(b"\x01\x02\x03")
    with pytest.raises(ValueError, match="not a whole number of 2-byte cu8 samples"):
        FileSource(str(odd), rate=1e6)
    with pytest.raises(ValueError, match="unknown format"):
        FileSource(str(odd), rate=1e6, format="wav")
    with pytest.raises(ValueError, match="rate must be > 0"):
        FileSource(str(odd), rate=0, format="cs8")
    with pytest.raises(ValueError, match="does not exist"):
        FileSink(str(tmp_path / "nope" / "x.cf32"))


def test_file_source_reads_a_real_rtl_sdr_capture(real_data):
    # The OOK burst in this capture starts at 0.2846 s (rtl_433's analysis, see data README).
    fs = 250e3
    path = real_data / "ook433" / "sensibleliving_g002_433.92M_250k.cu8"
    fg = Flowgraph(chunk=8192)
    sink = VectorSink()
    fg.connect(FileSource(str(path), rate=fs), sink)
    fg.run()
    x = sink.data
    assert len(x) == path.stat().st_size // 2
    raw = np.fromfile(path, np.uint8).astype(np.float64)
    np.testing.assert_allclose(x, (raw[0::2] - 127.5) / 127.5 + 1j * (raw[1::2] - 127.5) / 127.5, atol=1e-6)
    power = np.convolve(np.abs(x) ** 2, np.ones(250) / 250, "same")
    floor = np.median(power)
    start = np.argmax(power > floor * 10 ** 1.0) / fs
    assert start == pytest.approx(0.2846, abs=0.002)


def test_wav_sink_writes_a_valid_file(tmp_path):
    path = tmp_path / "a.wav"
    x = (0.5 * np.sin(2 * np.pi * 440 * np.arange(48000) / 48e3)).astype(np.float32)
    x[100] = 3.0  # clipped, and counted
    sink = WAVSink(str(path))
    run_block(sink, x, rate=48e3, chunks=[1000, 1])
    assert sink.clipped == 1
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 48000, 48000)
        pcm = np.frombuffer(w.readframes(48000), "<i2")
    assert pcm[100] == 32767
    np.testing.assert_allclose(pcm[:100] / 32767, x[:100], atol=1 / 32767)


def test_wav_sink_stereo(tmp_path):
    path = tmp_path / "s.wav"
    left = np.full(1000, 0.25, np.float32)
    right = np.full(1000, -0.5, np.float32)
    run_block(WAVSink(str(path), channels=2), [left, right], rate=44100)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (2, 44100, 1000)
        pcm = np.frombuffer(w.readframes(1000), "<i2").reshape(-1, 2)
    assert np.all(pcm[:, 0] == round(0.25 * 32767)) and np.all(pcm[:, 1] == round(-0.5 * 32767))


def test_vector_source_repeat_and_vector_streams():
    sink = collect(VectorSource(np.arange(10, dtype=np.float32), rate=1, repeat=True), 25, chunk=7)
    np.testing.assert_array_equal(sink.data, np.arange(25) % 10)
    frames = np.arange(12, dtype=np.float32).reshape(3, 4)
    fg = Flowgraph()
    vs = VectorSink()
    fg.connect(VectorSource(frames, rate=1), vs)
    fg.run()
    np.testing.assert_array_equal(vs.data, frames)


def test_fm_demod_gives_one_at_full_deviation():
    fs, dev = 240e3, 75e3
    x = np.exp(2j * np.pi * dev * np.arange(4000) / fs).astype(np.complex64)
    y = assert_chunk_invariant(lambda: FMDemod(dev), x, rate=fs)
    np.testing.assert_allclose(y[1:], 1.0, rtol=1e-5)


def test_float_int16_conversions_round_and_clip():
    from sdrflow.blocks import FloatToInt16, Int16ToFloat
    x = np.array([0.0, 0.5, -0.5, 1.2, -1.2, 1e-5], np.float32)
    y = assert_chunk_invariant(lambda: FloatToInt16(32767), x)
    np.testing.assert_array_equal(y, [0, 16384, -16384, 32767, -32768, 0])
    back = assert_chunk_invariant(lambda: Int16ToFloat(32768), y)
    np.testing.assert_allclose(back, y / 32768)


def test_wav_source_reads_what_wav_sink_wrote(tmp_path):
    from sdrflow.blocks import WAVSource
    path = tmp_path / "s.wav"
    left = (0.5 * np.sin(np.arange(30_000) / 10)).astype(np.float32)
    right = (-0.25 * np.cos(np.arange(30_000) / 7)).astype(np.float32)
    run_block(WAVSink(str(path), channels=2), [left, right], rate=44100)
    src = WAVSource(str(path))
    fg = Flowgraph(chunk=7001)
    a, b = VectorSink(), VectorSink()
    fg.connect((src, "left"), a)
    fg.connect((src, "right"), b)
    fg.run()
    assert a.rate_seen == 44100
    np.testing.assert_allclose(a.data, left, atol=1 / 32768)
    np.testing.assert_allclose(b.data, right, atol=1 / 32768)
    fg = Flowgraph()
    iq = VectorSink()
    fg.connect(WAVSource(str(path), iq=True), iq)
    fg.run()
    np.testing.assert_allclose(iq.data, left + 1j * right, atol=2 / 32768)


def test_wav_source_refuses_what_it_cannot_read(tmp_path):
    from sdrflow.blocks import WAVSource
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF1234WAVEjunk")
    with pytest.raises(ValueError, match="not a WAV file sdrflow can read .no 'fmt ' chunk"):
        WAVSource(str(bad))
    adpcm = tmp_path / "adpcm.wav"
    adpcm.write_bytes(_wav_bytes(b"\x00" * 8, 2, 1, 8000, 4))
    with pytest.raises(ValueError, match="format 2 with 4-bit samples; sdrflow reads 8-, 16-"):
        WAVSource(str(adpcm))
    mono = tmp_path / "m.wav"
    run_block(WAVSink(str(mono)), np.zeros(10, np.float32), rate=8000)
    with pytest.raises(ValueError, match="iq=True needs a stereo file"):
        WAVSource(str(mono), iq=True)


def test_band_source_places_stations_at_their_offsets_and_levels_in_any_chunking():
    from sdrflow.blocks import BandSource

    stations = [(-400_000, "am", -30.0, 1000), (150_000, "carrier", -40.0, 0),
                (600_000, "usb", -35.0, 1500)]
    outs = []
    for chunk in (77, 65536):
        fg = Flowgraph(chunk=chunk)
        sink = VectorSink()
        fg.connect(BandSource(2_400_000, stations, noise_db=-70, seconds=0.5), sink)
        fg.run()
        outs.append(sink.data)
    np.testing.assert_array_equal(outs[0], outs[1])
    x = outs[0][:240_000]
    spectrum = np.fft.fftshift(np.fft.fft(x)) / len(x)
    freqs = np.fft.fftshift(np.fft.fftfreq(len(x), 1 / 2.4e6))
    power = np.abs(spectrum) ** 2
    carrier = power[np.argmin(np.abs(freqs - 150e3))]
    assert abs(10 * np.log10(carrier) - -40) < 0.1
    usb = power[np.argmin(np.abs(freqs - 601.5e3))]
    assert abs(10 * np.log10(usb) - -35) < 0.1
    am_carrier = power[np.argmin(np.abs(freqs + 400e3))]
    assert abs(10 * np.log10(am_carrier) - (-30 - 10 * np.log10(1.125))) < 0.1


def test_wav_sink_turns_rf64_past_the_riff_limit(tmp_path, monkeypatch):
    import struct

    monkeypatch.setattr(WAVSink, "RF64_ABOVE", 1000)  # stands for 4 GiB: same code path
    path = tmp_path / "long.wav"
    x = np.linspace(-0.5, 0.5, 3000).astype(np.float32)
    run_block(WAVSink(str(path)), x, rate=48000)
    raw = path.read_bytes()
    assert raw[:4] == b"RF64" and struct.unpack("<I", raw[4:8])[0] == 0xFFFFFFFF
    tag, size, riff, data, frames = struct.unpack("<4sIQQQ", raw[12:44])
    assert (tag, size, riff, data, frames) == (b"ds64", 28, len(raw) - 8, 6000, 3000)
    assert raw[72:80] == b"data" + b"\xff\xff\xff\xff"
    pcm = np.frombuffer(raw[80:], "<i2")
    np.testing.assert_array_equal(pcm, np.rint(x * 32767).astype(np.int16))


def test_truncated_wav_source_plays_every_whole_frame_and_warns(tmp_path, caplog):
    path = tmp_path / "cut.wav"
    x = np.linspace(-0.5, 0.5, 4000).astype(np.float32)
    run_block(WAVSink(str(path), channels=2), [x, -x], rate=8000)
    raw = path.read_bytes()
    path.write_bytes(raw[:80 + 4 * 1000 + 3])  # 1000 frames and 3 bytes of the next
    with caplog.at_level("WARNING"):
        left, right = _play(path)
    assert len(left) == len(right) == 1000
    np.testing.assert_allclose(left, x[:1000], atol=1 / 32767)
    assert "truncated: its header promises 4000 frames, the file holds 1000" in caplog.text


def _wav_bytes(data, code, channels, rate, bits, size=None, after=b"", extensible=False):
    """A WAV file by hand: format ``code`` (1 PCM, 3 float), ``size`` in the data chunk's
    header (default the true one), ``after`` chunks behind the data."""
    import struct

    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else code, channels, rate, rate * align,
                      align, bits)
    if extensible:  # cbSize, valid bits, channel mask, then the sub-format GUID
        fmt += struct.pack("<HHIH", 22, bits, 0, code) + b"\0\0\0\0\x10\0\x80\0\0\xaa\0\x38\x9b\x71"
    body = (b"WAVE" + struct.pack("<4sI", b"fmt ", len(fmt)) + fmt
            + struct.pack("<4sI", b"data", len(data) if size is None else size) + data + after)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _source_data(path, **kw):
    from sdrflow.blocks import WAVSource

    fg = Flowgraph(chunk=999)
    src, sink = WAVSource(str(path), **kw), VectorSink()
    fg.connect(src, sink)
    fg.run()
    return src, sink.data


def test_wav_source_reads_float_24_and_32_bit_rf64_and_streamed_files(tmp_path, monkeypatch):
    from scipy.io import wavfile

    rng = np.random.default_rng(5)
    iq = (rng.uniform(-0.9, 0.9, (5000, 2))).astype(np.float32)
    wavfile.write(tmp_path / "f.wav", 2_400_000, iq)  # SDR++'s float baseband recording
    src, data = _source_data(tmp_path / "f.wav", iq=True)
    assert src.sample_rate == 2.4e6 and src.layout.describe() == "WAV 32-bit float, 2 channel(s)"
    np.testing.assert_array_equal(data, iq[:, 0] + 1j * iq[:, 1])
    ints = rng.integers(-2**31, 2**31, 3000).astype(np.int32)
    wavfile.write(tmp_path / "i32.wav", 8000, ints)
    np.testing.assert_allclose(_source_data(tmp_path / "i32.wav")[1], ints / 2**31, rtol=1e-7)
    # 24-bit, in an extensible header, with a LIST chunk after the data that is not sound
    v24 = rng.integers(-2**23, 2**23, 1000)
    raw = np.stack([v24 & 255, v24 >> 8 & 255, v24 >> 16 & 255], axis=1).astype(np.uint8).tobytes()
    path = tmp_path / "i24.wav"
    path.write_bytes(_wav_bytes(raw, 1, 1, 96000, 24, after=b"LIST\x04\x00\x00\x00INFO",
                                extensible=True))
    src, data = _source_data(path)
    assert src.frames == 1000 and src.sample_rate == 96000
    np.testing.assert_array_equal(data, (v24 / 2**23).astype(np.float32))
    assert wavfile.read(path)[1].tolist() == (v24 << 8).tolist()  # scipy reads it alike
    # a header written by a stream that never came back to fill in the size (ffmpeg to a pipe)
    pcm = np.arange(-500, 500, dtype="<i2")
    path.write_bytes(_wav_bytes(pcm.tobytes(), 1, 1, 8000, 16, size=0xFFFFFFFF))
    np.testing.assert_array_equal(_source_data(path)[1], pcm / 32768)
    # RF64, as WAVSink writes past 4 GiB
    monkeypatch.setattr(WAVSink, "RF64_ABOVE", 1000)
    x = np.linspace(-0.5, 0.5, 3000).astype(np.float32)
    run_block(WAVSink(str(path)), x, rate=48000)
    assert path.read_bytes()[:4] == b"RF64"
    src, data = _source_data(path)
    assert src.frames == 3000 and src.sample_rate == 48000
    np.testing.assert_array_equal(data, np.rint(x * 32767) / 32768)


def _play(path):
    from sdrflow.blocks import WAVSource

    fg = Flowgraph(chunk=333)
    src, a, b = WAVSource(str(path)), VectorSink(), VectorSink()
    fg.connect((src, "left"), a)
    fg.connect((src, "right"), b)
    fg.run()
    return a.data, b.data


def test_queue_source_and_callback_sink_carry_arrays_exactly_and_count_drops():
    from sdrflow.blocks import CallbackSink, QueueSource

    src, got = QueueSource(1e3, maxsize=2), []
    first = np.arange(250).astype(np.complex64)
    second = np.arange(250, 600).astype(np.complex64)
    assert src.put(first) and src.put(second)
    assert not src.put(np.zeros(10))  # full: dropped at once, never waiting
    assert src.counters() == {"dropped": 10}
    fg = Flowgraph(chunk=100)
    fg.connect(src, CallbackSink(got.append))
    fg.start()
    src.close()
    fg.wait(30)
    np.testing.assert_array_equal(np.concatenate(got), np.concatenate([first, second]))


def test_a_named_pipe_whose_reader_stops_reading_does_not_hold_a_stop(tmp_path):
    """``FileSink`` on a named pipe (``mkfifo``) whose reader stalls: the next write cannot go
    out, and the graph still stops when asked; a reader that leaves then ends it quietly."""
    import fcntl
    import os

    fifo = str(tmp_path / "samples.cu8")
    os.mkfifo(fifo)
    r = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader, so the sink's open does not wait
    w = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096)
    os.write(w, b"x" * 4096)  # full: every write from now on waits for the reader
    fg = Flowgraph(chunk=1024)
    fg.connect(SignalSource(1000, rate=48e3), FileSink(fifo, format="cu8"))
    fg.start()
    try:
        while fg.stats()[0]["work_calls"] < 1:  # the sink has samples to write
            fg.wait(0.05)
        fg.stop()
        assert fg.wait(60), "the sink's write held the stop"
    finally:
        fg.stop()
        os.close(w)
    # A reader that leaves: the stream ends without an error.
    fg = Flowgraph(chunk=1024)
    fg.connect(SignalSource(1000, rate=48e3), FileSink(fifo, format="cu8"))
    fg.start()
    os.close(r)
    assert fg.wait(60)


@pytest.mark.parametrize("kind", ["PCMSink", "FileSink", "ModeSOutput", "MessageSink"])
def test_a_stdout_reader_that_stops_reading_does_not_hold_a_stop(monkeypatch, kind):
    """Standard output is a full pipe nobody reads (``listen -o - | player`` with the player
    paused): the sink's next write cannot go out, and the graph still stops when asked (a
    blocked write once held it, and so Ctrl-C and SIGTERM, forever)."""
    import fcntl
    import os
    import sys

    from sdrflow.blocks import MessageSink, ModeSDemod, ModeSOutput, ModeSSource, PCMSink

    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, 4096)
    os.write(w, b"x" * 4096)  # full: every write from now on waits for a reader
    monkeypatch.setattr(sys, "stdout", os.fdopen(w, "w"))
    fg = Flowgraph(chunk=1024)
    if kind in ("PCMSink", "FileSink"):
        source = SignalSource(1000, rate=48e3, real=kind == "PCMSink")
        fg.connect(source, PCMSink("-") if kind == "PCMSink" else FileSink("-", format="cu8"))
        # the source's first chunk went to the sink (counted before it is handed on)
        ready = lambda: fg.stats()[0]["work_calls"] >= 1  # noqa: E731
    else:
        sink = ModeSOutput(stdout="json") if kind == "ModeSOutput" else MessageSink(jsonl="-")
        demod = ModeSDemod()
        fg.connect(ModeSSource(per_second=1000), demod)  # endless, as fast as it goes
        fg.connect((demod, "frames"), (sink, "in"))
        # the sink has a line to write (it counts before writing)
        ready = (lambda: sink.frames >= 1) if kind == "ModeSOutput" else \
            (lambda: len(sink.messages) >= 1)
    fg.start()
    try:
        while not ready():
            fg.wait(0.05)
        fg.stop()
        assert fg.wait(60), "the sink's write held the stop"
    finally:
        fg.stop()
        os.close(r)
