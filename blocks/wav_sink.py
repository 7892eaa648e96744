import os
import struct

import numpy as np

from sdrflow.block import FLOAT32, Block, Port


class WAVSink(Block):
    """Writes float audio in [−1, 1] to a 16-bit PCM WAV file, one input per channel.

    Samples beyond ±1 are clipped (and counted in ``clipped``). The header is rewritten with the
    true length about once a second and when the graph stops, so the file stays valid after
    Ctrl-C, SIGTERM or a crash. The sample rate comes from the graph (rounded to whole Hz). A
    28-byte ``JUNK`` chunk is reserved after ``WAVE``, as ffmpeg does, so a file that outgrows
    4 GiB (12 h of mono 48 kHz) becomes RF64 in place (``RF64`` + ``ds64`` with 64-bit sizes),
    which sox and ffmpeg read.

    Signature: float32 [, float32] ->

    Parameters
    ----------
    path : str
        Output file; its folder must exist.
    channels : int
        1 (mono) or 2 (stereo: inputs ``left`` and ``right``).

    Example: ``WAVSink("audio.wav")``
    """

    def __init__(self, path: str, channels: int = 1):
        if channels not in (1, 2):
            raise ValueError(f"WAVSink: channels must be 1 or 2, got {channels!r}")
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise ValueError(f"WAVSink: folder {folder} does not exist; create it first")
        self.path, self.channels = str(path), channels
        self.inputs = [Port("in", FLOAT32)] if channels == 1 else [Port("left", FLOAT32), Port("right", FLOAT32)]
        self._file = None
        self.frames = self.clipped = 0

    def start(self, rate):
        self._rate = int(round(rate))
        try:
            self._file = open(self.path, "wb")
        except OSError as e:
            raise ValueError(f"WAVSink: cannot write {self.path}: {e.strerror}") from e
        self.frames = self.clipped = 0
        self._since_header = 0
        self._write_header()

    #: Data bytes beyond which the header turns RF64 (a RIFF size field holds 32 bits).
    RF64_ABOVE = 0xFFFFFFFF - 72
    HEADER = 80

    def _write_header(self):
        data = self.frames * 2 * self.channels
        fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, self.channels, self._rate,
                          self._rate * 2 * self.channels, 2 * self.channels, 16)
        if data > self.RF64_ABOVE:
            hdr = (struct.pack("<4sI4s", b"RF64", 0xFFFFFFFF, b"WAVE")
                   + struct.pack("<4sIQQQI", b"ds64", 28, self.HEADER - 8 + data, data,
                                 self.frames, 0)
                   + fmt + struct.pack("<4sI", b"data", 0xFFFFFFFF))
        else:
            hdr = (struct.pack("<4sI4s", b"RIFF", self.HEADER - 8 + data, b"WAVE")
                   + struct.pack("<4sI", b"JUNK", 28) + bytes(28)
                   + fmt + struct.pack("<4sI", b"data", data))
        pos = self._file.tell()
        self._file.seek(0)
        self._file.write(hdr)
        self._file.seek(max(pos, len(hdr)))

    def work(self, *channels):
        x = channels[0] if self.channels == 1 else np.stack(channels, axis=1).ravel()
        scaled = x * np.float32(32767)
        self.clipped += int(np.count_nonzero(np.abs(scaled) > 32767))
        pcm = np.clip(np.rint(scaled), -32768, 32767).astype("<i2")
        self._file.write(pcm.tobytes())
        self.frames += len(channels[0])
        self._since_header += len(channels[0])
        if self._since_header >= self._rate:
            self._since_header = 0
            self._write_header()
            self._file.flush()

    def counters(self):
        return {"clipped": self.clipped}

    def stop(self):
        if self._file is not None and not self._file.closed:
            self._write_header()
            self._file.close()
