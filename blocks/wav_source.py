import logging
import os
import wave

import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port

log = logging.getLogger(__name__)


class WAVSource(Block):
    """Plays a PCM WAV file (8- or 16-bit, mono or stereo) at its own rate, in chunks.

    Samples become floats in [−1, 1) (16-bit: v / 32768; 8-bit: (b − 128) / 128). A stereo file
    gives ``left`` and ``right``, or with ``iq=True`` one complex stream (left = I, right = Q),
    the layout of IQ recordings made by SDR# or HDSDR.

    Signature: -> float32 (mono) | float32, float32 (stereo) | complex64 (stereo, iq=True)

    Parameters
    ----------
    path : str
        The WAV file.
    iq : bool
        Read a stereo file as I/Q.
    repeat : bool
        Start again at the end.

    Example: ``WAVSource("baseband.wav", iq=True)``
    """

    own_thread = True  # reads may wait on the disk

    def __init__(self, path: str, iq: bool = False, repeat: bool = False):
        if not os.path.isfile(path):
            raise ValueError(f"WAVSource: no such file: {path}")
        try:
            with wave.open(str(path), "rb") as w:
                self.channels, self.width = w.getnchannels(), w.getsampwidth()
                self.sample_rate, self.frames = float(w.getframerate()), w.getnframes()
        except (wave.Error, EOFError) as e:
            raise ValueError(f"WAVSource: {path} is not a PCM WAV file sdrflow can read ({e}); "
                             f"8- and 16-bit PCM are supported") from e
        if self.width not in (1, 2) or self.channels not in (1, 2):
            raise ValueError(f"WAVSource: {path} has {self.channels} channels of {8 * self.width} "
                             f"bits; sdrflow reads 1 or 2 channels of 8 or 16 bits")
        if iq and self.channels != 2:
            raise ValueError(f"WAVSource: iq=True needs a stereo file; {path} is mono")
        self.path, self.iq, self.repeat = str(path), bool(iq), bool(repeat)
        if self.iq:
            self.outputs = [Port("out", COMPLEX64)]
        elif self.channels == 2:
            self.outputs = [Port("left", FLOAT32), Port("right", FLOAT32)]
        else:
            self.outputs = [Port("out", FLOAT32)]

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        self._wav = wave.open(self.path, "rb")
        self._read, self._warned = 0, False

    def work(self, n):
        raw = self._wav.readframes(n)
        if not raw and self.repeat:
            self._wav.rewind()
            raw = self._wav.readframes(n)
        whole = len(raw) - len(raw) % (self.width * self.channels)
        if whole < len(raw) or (not raw and not self._warned and self._read < self.frames):
            if not self._warned:
                self._warned = True
                log.warning("%s: %s is truncated: its header promises %d frames, the file holds "
                            "%d; playing what is there", self.name, self.path, self.frames,
                            self._read + whole // (self.width * self.channels))
            raw = raw[:whole]
        if not raw:
            return None
        self._read += len(raw) // (self.width * self.channels)
        if self.width == 2:
            values = np.frombuffer(raw, "<i2").astype(np.float32) * np.float32(1 / 32768)
        else:
            values = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) * np.float32(1 / 128)
        frames = values.reshape(-1, self.channels)
        if self.iq:
            out = self.buffer(len(frames), np.complex64)
            out.real, out.imag = frames[:, 0], frames[:, 1]
            return out
        if self.channels == 2:
            left, right = self.buffer(len(frames), np.float32), self.buffer(len(frames), np.float32)
            left[:], right[:] = frames[:, 0], frames[:, 1]
            return left, right
        out = self.buffer(len(values), np.float32)
        out[:] = values
        return out

    def stop(self):
        if getattr(self, "_wav", None) is not None:
            self._wav.close()
            self._wav = None
