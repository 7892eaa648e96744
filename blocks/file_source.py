import os

import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port
from sdrflow.kernels.convert import u8_table, u8_to_c64

#: Raw formats: bytes per sample and what one sample is.
FORMATS = {
    "cu8": (2, "unsigned 8-bit I/Q, as rtl_sdr writes it; (b − 127.5) / 127.5"),
    "cs8": (2, "signed 8-bit I/Q (HackRF); b / 128"),
    "cs16": (4, "signed 16-bit little-endian I/Q; v / 32768"),
    "cf32": (8, "complex64 little-endian, as GNU Radio's file sink writes it"),
    "f32": (4, "float32 little-endian real samples"),
}


class FileSource(Block):
    """Reads a headerless recording in chunks, so any file size runs in constant memory.

    Signature: -> complex64 (float32 for ``f32``)

    Parameters
    ----------
    path : str
        The recording.
    rate : float
        Its sample rate in Hz (raw files do not record it).
    format : str
        ``cu8``, ``cs8``, ``cs16``, ``cf32`` or ``f32`` (default: from the file extension).
    frequency : float, optional
        Centre frequency in Hz, passed on as the ``rx_freq`` tag.
    repeat : bool
        Start again at the end of the file.

    Example: ``FileSource("capture.cu8", rate=2.4e6)``
    """

    outputs = [Port("out", COMPLEX64)]
    own_thread = True  # reads may wait on the disk

    def __init__(self, path: str, rate: float, format: str | None = None,
                 frequency: float | None = None, repeat: bool = False):
        if format is None:
            format = os.path.splitext(str(path))[1].lstrip(".").lower()
        if format not in FORMATS:
            raise ValueError(f"FileSource: unknown format {format!r}; use one of {sorted(FORMATS)} "
                             f"(pass format= when the extension does not say it)")
        if not rate > 0:
            raise ValueError(f"FileSource: rate must be > 0 Hz, got {rate!r}")
        if not os.path.isfile(path):
            raise ValueError(f"FileSource: no such file: {path}")
        if not os.access(path, os.R_OK):
            raise ValueError(f"FileSource: cannot read {path}: check its permissions")
        self.size = os.path.getsize(path)
        width = FORMATS[format][0]
        if self.size % width:
            raise ValueError(f"FileSource: {path} is {self.size} bytes, not a whole number of "
                             f"{width}-byte {format} samples; is it truncated or another format?")
        if self.size == 0:
            raise ValueError(f"FileSource: {path} is empty")
        self.path, self.format, self.width = str(path), format, width
        self.sample_rate, self.frequency, self.repeat = float(rate), frequency, bool(repeat)
        if format == "f32":
            self.outputs = [Port("out", FLOAT32)]

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        self._file = open(self.path, "rb")
        self._lut = u8_table()
        self._first = True
        self.samples = 0

    def work(self, n):
        direct = self.format in ("cf32", "f32")  # the file's bytes are the samples
        if direct:
            out = self.buffer(n, np.complex64 if self.format == "cf32" else np.float32)
            raw = out.view(np.uint8)
        else:
            raw = self.scratch(n * self.width, np.uint8)
        got = self._file.readinto(raw)
        if got == 0 and self.repeat:
            self._file.seek(0)
            got = self._file.readinto(raw)
        if got == 0:
            return None
        k = got // self.width
        raw = raw[:k * self.width]
        if self._first:
            self._first = False
            self.add_tag(0, "rx_rate", self.sample_rate)
            if self.frequency is not None:
                self.add_tag(0, "rx_freq", float(self.frequency))
        self.samples += k
        if direct:
            return out[:k]
        out = self.buffer(k, np.complex64)
        f = out.view(np.float32)
        if self.format == "cu8":
            u8_to_c64(raw, self._lut, out)
        elif self.format == "cs8":
            np.multiply(raw.view(np.int8), np.float32(1 / 128), out=f)
        else:
            np.multiply(raw.view("<i2"), np.float32(1 / 32768), out=f)
        return out

    def stop(self):
        if getattr(self, "_file", None) is not None:
            self._file.close()
