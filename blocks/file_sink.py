import os
import stat
import sys

import numpy as np

from sdrflow.block import ANY, COMPLEX64, Block, Port

from ._out import silence_stdout, write_out

_SCALE = {"cu8": 127.5, "cs8": 128.0, "cs16": 32768.0}  # the inverse of FileSource


class FileSink(Block):
    """Writes a stream to a headerless file.

    ``raw`` writes items exactly as they are in memory (complex64 = GNU Radio's cf32, float32,
    int16, vectors). A complex stream can also be written as ``cu8`` (rtl_sdr's format,
    ``round(x·127.5 + 127.5)``), ``cs8`` (``round(x·128)``) or ``cs16`` (``round(x·32768)``),
    clipped to the format's range: the inverse of FileSource's conversions.

    Signature: any stream ->

    Parameters
    ----------
    path : str
        Output file; its folder must exist. ``-`` is standard output (``… | csdr …``, as
        ``rtl_sdr -``). On standard output or a named pipe (``mkfifo``), a reader that leaves
        ends the stream quietly, and one that stops reading holds the graph back, but not its
        stop.
    format : str
        ``raw`` (default), ``cf32`` (same as raw, for complex), ``cu8``, ``cs8`` or ``cs16``.

    Example: ``FileSink("capture.cu8", format="cu8")``
    """

    inputs = [Port("in", ANY)]

    def __init__(self, path: str, format: str = "raw"):
        if format not in ("raw", "cf32", "cu8", "cs8", "cs16"):
            raise ValueError(f"FileSink: unknown format {format!r}; use raw, cf32, cu8, cs8 or cs16")
        folder = os.path.dirname(os.path.abspath(path))
        if path != "-" and not os.path.isdir(folder):
            raise ValueError(f"FileSink: folder {folder} does not exist; create it first")
        self.path, self.format = str(path), format
        self._file = None
        self._pipe = False

    def start(self, rate):
        if self.format != "raw" and self.input_types and self.input_types[0] != COMPLEX64:
            raise ValueError(f"FileSink: format {self.format} needs a complex64 stream, got "
                             f"{self.input_types[0]}; use format='raw'")
        if self.path == "-":
            sys.stdout.flush()
            self._file = sys.stdout.buffer
            self._pipe = True
            return
        try:
            self._file = open(self.path, "wb")  # a named pipe: waits for its reader (Ctrl-C works)
        except OSError as e:
            raise ValueError(f"FileSink: cannot write {self.path}: {e.strerror}") from e
        self._pipe = stat.S_ISFIFO(os.fstat(self._file.fileno()).st_mode)

    def work(self, x):
        if self.format in ("raw", "cf32"):
            self._write(np.ascontiguousarray(x))
            return
        f = x.view(np.float32)
        s = _SCALE[self.format]
        if self.format == "cu8":
            q = np.clip(np.floor(f * s + s + 0.5), 0, 255).astype(np.uint8)
        elif self.format == "cs8":
            q = np.clip(np.round(f * s), -128, 127).astype(np.int8)
        else:
            q = np.clip(np.round(f * s), -32768, 32767).astype("<i2")
        self._write(q)

    def _write(self, data):
        if not self._pipe:
            self._file.write(data.data)
            return
        try:
            write_out(self, self._file.fileno(), data)  # a stalled reader does not hold a stop
        except BrokenPipeError:  # the reader left: nobody wants more
            if self.path == "-":
                silence_stdout()
            self.end_of_stream()

    def stop(self):
        if self._file is not None and self.path != "-" and not self._file.closed:
            self._file.close()
        self._file = None
