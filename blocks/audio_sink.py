import threading

import numpy as np

from sdrflow.block import FLOAT32, Block, Port
from sdrflow.errors import SourceFailed

from ._audio import DriftBuffer


class AudioSink(Block):
    """Plays float audio on the sound card through PortAudio (``sounddevice``, extra ``audio``).

    The radio's clock paces the graph and the sound card's clock the playback; they differ by
    tens of ppm. A fill-controlled resampler (within ±500 ppm, inaudible) holds ``latency``
    seconds of audio in between, so nothing clicks over hours; ``underruns`` and ``overruns``
    count what went wrong. A graph faster than real time (a recording) is held back when the
    buffer is full, as a blocking audio write would.

    Signature: float32 [, float32] ->

    Parameters
    ----------
    channels : int
        1 (mono) or 2 (stereo: inputs ``left`` and ``right``).
    latency : float
        Audio held between graph and card, in seconds (the loop's target).
    device : int or str, optional
        PortAudio output device (``python -m sounddevice`` lists them); None = default.
    backend : module, optional
        What provides ``OutputStream`` (``sounddevice`` by default; a simulated card in tests).

    Example: ``AudioSink(channels=2)``
    """

    def __init__(self, channels: int = 1, latency: float = 0.1, device=None, backend=None):
        if channels not in (1, 2):
            raise ValueError(f"AudioSink: channels must be 1 or 2, got {channels!r}")
        if not 0.01 <= latency <= 2:
            raise ValueError(f"AudioSink: latency must be 0.01–2 s, got {latency!r}")
        self.channels, self.latency, self.device, self.backend = channels, latency, device, backend
        self.inputs = [Port("in", FLOAT32)] if channels == 1 else [Port("left", FLOAT32), Port("right", FLOAT32)]
        self._stream = None
        self.drift = None

    def start(self, rate):
        backend = self.backend
        if backend is None:
            try:
                import sounddevice as backend
            except (ImportError, OSError) as e:  # no package, or no PortAudio library
                raise ValueError(f"AudioSink needs PortAudio: pip install 'sdrflow[audio]' and "
                                 f"your system's libportaudio2 ({e}); or write raw audio to "
                                 f"stdout with -o - | aplay -r {rate:.0f} -f S16_LE -t raw "
                                 f"-c {self.channels}") from e
        self.drift = DriftBuffer(rate, self.channels, target=self.latency,
                                 capacity=max(4 * self.latency, 0.5))
        self._room = threading.Condition()
        try:
            self._stream = backend.OutputStream(samplerate=rate, channels=self.channels,
                                                dtype="float32", device=self.device,
                                                callback=self._callback, blocksize=0)
            self._stream.start()
        except Exception as e:  # PortAudioError and friends: the device failed (exit code 1)
            raise SourceFailed(f"AudioSink: cannot open the sound card: {e}") from e

    def _callback(self, outdata, frames, time_info, status):
        self.drift.pull(frames, outdata)
        with self._room:
            self._room.notify()

    def work(self, *channels):
        x = channels[0][:, None] if self.channels == 1 else np.stack(channels, axis=1)
        drift = self.drift
        # A graph faster than real time waits here for the card, never beyond a full buffer.
        with self._room:
            while drift.primed and drift.fill + len(x) / drift.rate > drift.size / drift.rate \
                    and not self.stopping:
                self._room.wait(0.05)
        drift.push(x)

    def counters(self) -> dict:
        d = self.drift
        if d is None:
            return {}
        return {"underruns": d.underruns, "overruns": d.overruns,
                "audio_fill_s": round(d.fill, 4), "resample_ppm": round((d.ratio - 1) * 1e6, 1)}

    def stop(self):
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            finally:
                self._stream = None
