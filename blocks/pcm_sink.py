import sys

import numpy as np

from sdrflow.block import FLOAT32, Block, Port
from sdrflow.kernels.convert import pcm16

from ._out import silence_stdout, write_out

_NONE = np.zeros(0, np.float32)
_LITTLE = sys.byteorder == "little"


class PCMSink(Block):
    """Raw signed 16-bit little-endian audio to standard output or a file, as rtl_fm writes it.

    ``sdrflow listen … -o - | aplay -r 48000 -f S16_LE -t raw`` (or ``| play -t raw -r 48k -e
    signed -b 16 -c 1 -``). Channels are interleaved; samples beyond ±1 are clipped and counted
    in ``clipped``. Every chunk is written at once, for low latency. A reader that goes away
    (the pipe closes) ends the stream quietly, as rtl_fm does; one that stops reading holds
    the graph back, but not its stop (Ctrl-C, SIGTERM).

    Signature: float32 [, float32] ->

    Parameters
    ----------
    path : str
        ``-`` for standard output, or a file name.
    channels : int
        1 (mono) or 2 (stereo: inputs ``left`` and ``right``).

    Example: ``PCMSink("-")``
    """

    def __init__(self, path: str = "-", channels: int = 1):
        if channels not in (1, 2):
            raise ValueError(f"PCMSink: channels must be 1 or 2, got {channels!r}")
        self.path, self.channels = str(path), channels
        self.inputs = [Port("in", FLOAT32)] if channels == 1 else [Port("left", FLOAT32), Port("right", FLOAT32)]
        self._file = None
        self.frames = self.clipped = 0

    def start(self, rate):
        if self.path == "-":
            sys.stdout.flush()
            self._file, self._own = sys.stdout.buffer, False
        else:
            try:
                self._file, self._own = open(self.path, "wb", buffering=0), True
            except OSError as e:
                raise ValueError(f"PCMSink: cannot write {self.path}: {e.strerror}") from e
        self.frames = self.clipped = 0

    def work(self, *channels):
        n = len(channels[0])
        pcm = self.scratch(n * self.channels, np.int16)
        right = channels[1] if self.channels == 2 else _NONE
        self.clipped += pcm16(channels[0], right, np.float32(32767), pcm)
        try:
            written = write_out(self, self._file.fileno(), pcm if _LITTLE else pcm.byteswap())
        except BrokenPipeError:  # the player went away: nobody is listening any more
            if not self._own:
                silence_stdout()
            self.end_of_stream()
            return
        if written:
            self.frames += len(channels[0])

    def stop(self):
        if self._file is not None and self._own:
            self._file.close()
        self._file = None
