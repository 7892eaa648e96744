import logging
import os

import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port

from ._wav import read_layout, to_float

log = logging.getLogger(__name__)


class WAVSource(Block):
    """Plays a WAV file (mono or stereo; 8-, 16-, 24- or 32-bit PCM or 32-bit float; RIFF or
    RF64, as written past 4 GiB) at its own rate, in chunks.

    Samples become floats in [−1, 1) (16-bit: v / 32768; 8-bit: (b − 128) / 128). A stereo file
    gives ``left`` and ``right``, or with ``iq=True`` one complex stream (left = I, right = Q),
    the layout of IQ recordings made by SDR#, HDSDR, SDR++ and ``sdrflow record -o X.wav``.

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
            self.layout = read_layout(path)
        except (ValueError, OSError) as e:
            raise ValueError(f"WAVSource: {path} is not a WAV file sdrflow can read ({e})") from e
        self.channels, self.frames = self.layout.channels, self.layout.frames
        self.sample_rate = float(self.layout.rate)
        if self.channels not in (1, 2):
            raise ValueError(f"WAVSource: {path} has {self.channels} channels; sdrflow reads 1 "
                             f"(mono) or 2 (stereo, or I/Q)")
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
        self._wav = open(self.path, "rb")
        self._wav.seek(self.layout.data_offset)
        self._read, self._warned = 0, False

    def _frames(self, n):
        """Up to ``n`` whole frames from where the last call stopped, within the data chunk."""
        size = self.layout.frame_bytes
        raw = self._wav.read(min(n, self.frames - self._read) * size)
        whole = len(raw) - len(raw) % size
        if whole < n * size and self._read + whole // size < self.frames and not self._warned:
            self._warned = True
            log.warning("%s: %s is truncated: its header promises %d frames, the file holds "
                        "%d; playing what is there", self.name, self.path, self.frames,
                        self._read + whole // size)
        self._read += whole // size
        return raw[:whole]

    def work(self, n):
        raw = self._frames(n)
        if not raw and self.repeat and self._read:
            self._wav.seek(self.layout.data_offset)
            self._read = 0
            raw = self._frames(n)
        if not raw:
            return None
        frames = to_float(raw, self.layout)
        if self.iq:
            out = self.buffer(len(frames), np.complex64)
            out.real, out.imag = frames[:, 0], frames[:, 1]
            return out
        if self.channels == 2:
            left, right = self.buffer(len(frames), np.float32), self.buffer(len(frames), np.float32)
            left[:], right[:] = frames[:, 0], frames[:, 1]
            return left, right
        out = self.buffer(len(frames), np.float32)
        out[:] = frames[:, 0]
        return out

    def stop(self):
        if getattr(self, "_wav", None) is not None:
            self._wav.close()
            self._wav = None
