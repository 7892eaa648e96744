"""Audio out: the drift-controlled buffer against a sound card whose clock is off, the
AudioSink through a simulated card, and raw PCM for pipes."""
import sys
import threading
import types

import numpy as np
import pytest

from sdrflow import Flowgraph, GraphError
from sdrflow.blocks import AudioSink, PCMSink, SignalSource, Head
from sdrflow.blocks._audio import DriftBuffer


def simulate(ppm, minutes=10, rate=48000.0, push=960, pull=1024, seed=0):
    """The graph pushes ``push`` frames every push/rate s (radio clock, with jitter); the card
    pulls ``pull`` frames every pull/(rate·(1+ppm)) s. Virtual time: no sleeping."""
    rng = np.random.default_rng(seed)
    buf = DriftBuffer(rate, 1)
    t_push, t_pull, end = 0.0, 0.0, minutes * 60
    pushes = 0
    fills, settled = [], None
    tone = np.sin(2 * np.pi * 1000 * np.arange(push) / rate).astype(np.float32)
    while t_push < end:
        if t_push <= t_pull:
            buf.push(tone)
            pushes += 1  # each chunk arrives up to 2 ms off its schedule (jitter, not drift)
            t_push = pushes * push / rate + rng.uniform(-2e-3, 2e-3)
        else:
            buf.pull(pull)
            t_pull += pull / (rate * (1 + ppm * 1e-6))
        if settled is None and t_pull > 120:
            settled = (buf.underruns, buf.overruns)
        if t_pull > 120:
            fills.append(buf.fill)
    return buf, settled, np.array(fills)


@pytest.mark.parametrize("ppm", [-200, 0, 200])
def test_fill_stays_bounded_against_a_card_off_by_200_ppm(ppm):
    buf, settled, fills = simulate(ppm)
    # No underrun or overrun once settled; the fill holds near its 0.1 s target.
    assert (buf.underruns, buf.overruns) == settled
    assert buf.overruns == 0
    assert 0.05 < fills.min() and fills.max() < 0.15
    # The loop found the card's clock: output frames per input frame = 1 + ppm.
    assert abs((buf.ratio - 1) * 1e6 - ppm) < 20


def test_without_the_loop_the_same_card_runs_dry():
    buf = DriftBuffer(48000.0, 1, kp=0, ki=0)
    t_push = t_pull = 0.0
    while t_push < 600:
        if t_push <= t_pull:
            buf.push(np.zeros(960, np.float32))
            t_push += 960 / 48000
        else:
            buf.pull(1024)
            t_pull += 1024 / (48000 * (1 + 200e-6))
    assert buf.underruns > 0  # 200 ppm of 10 minutes is 0.12 s: more than the buffer held


class SimulatedCard:
    """sounddevice's OutputStream, played by a thread at a clock ``ppm`` off, in real time."""

    ppm = 200.0

    def __init__(self, samplerate, channels, dtype, device, callback, blocksize):
        self.rate, self.channels, self.callback = samplerate, channels, callback
        self.frames = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._play, daemon=True)

    def start(self):
        self.thread.start()

    def _play(self):
        block = 480
        out = np.zeros((block, self.channels), np.float32)
        chunks = []
        while not self._stop.wait(block / (self.rate * (1 + self.ppm * 1e-6))):
            self.callback(out, block, None, None)
            chunks.append(out.copy())
            self.frames += block
        SimulatedCard.played = np.concatenate(chunks) if chunks else out[:0]

    def stop(self):
        self._stop.set()
        self.thread.join()

    def close(self):
        pass


def test_audio_sink_plays_through_the_card_and_reports_counters():
    from sdrflow.blocks import Throttle

    backend = types.SimpleNamespace(OutputStream=SimulatedCard)
    sink = AudioSink(channels=1, latency=0.05, backend=backend)
    fg = Flowgraph(chunk=480)
    fg.connect(SignalSource(1000, rate=48000, real=True, amplitude=0.5), Head(48000), Throttle(), sink)
    fg.run()
    counters = sink.counters()
    assert counters["overruns"] == 0
    played = SimulatedCard.played[:, 0]
    spectrum = np.abs(np.fft.rfft(played[-8192:] * np.hanning(8192)))
    assert abs(np.argmax(spectrum) * 48000 / 8192 - 1000) < 10


def test_audio_sink_without_portaudio_names_the_extra_and_stdout(monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails
    fg = Flowgraph()
    fg.connect(SignalSource(1000, rate=48000, real=True), Head(10), AudioSink())
    with pytest.raises(GraphError, match=r"sdrflow\[audio\].*-o - \| aplay -r 48000 -f S16_LE"):
        fg.start()


def test_a_sound_card_that_cannot_open_is_a_device_failure():
    """PortAudio refusing the card is the outside world failing, as an absent dongle is:
    commands exit 1 for it, not 2 (bad usage, which a missing PortAudio is: use -o -)."""
    from sdrflow.cli.core import refused_code

    def busy(**kw):
        raise OSError("Device unavailable [PaErrorCode -9985]")

    fg = Flowgraph()
    fg.connect(SignalSource(1000, rate=48000, real=True), Head(10),
               AudioSink(backend=types.SimpleNamespace(OutputStream=busy)))
    with pytest.raises(GraphError, match="cannot open the sound card: Device unavailable") as e:
        fg.start()
    assert refused_code(e.value) == 1


def test_pcm_sink_writes_interleaved_s16le(tmp_path):
    from sdrflow.blocks import VectorSource

    path = tmp_path / "a.raw"
    left = np.linspace(-1.2, 1.2, 1000).astype(np.float32)
    right = -left
    fg = Flowgraph(chunk=77)
    sink = PCMSink(str(path), channels=2)
    fg.connect(VectorSource(left, rate=48e3), (sink, "left"))
    fg.connect(VectorSource(right, rate=48e3), (sink, "right"))
    fg.run()
    pcm = np.fromfile(path, "<i2").reshape(-1, 2)
    expect = np.clip(np.rint(left * 32767), -32768, 32767)
    np.testing.assert_array_equal(pcm[:, 0], expect)
    np.testing.assert_array_equal(pcm[:, 1], np.clip(np.rint(right * 32767), -32768, 32767))
    assert sink.clipped == 2 * np.count_nonzero(np.abs(left * 32767) > 32767)
