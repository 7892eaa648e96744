"""Reading a WAV file's header: plain RIFF, and RF64 (what ``WAVSink``, sox and ffmpeg write
past 4 GiB), of integer PCM (8, 16, 24, 32 bits) or 32-bit float samples, as audio tools and
SDR programs (SDR#, HDSDR, SDR++) write them. Python's ``wave`` module reads neither float
samples nor RF64."""
import struct
from dataclasses import dataclass

import numpy as np

PCM, FLOAT, EXTENSIBLE = 1, 3, 0xFFFE


@dataclass(frozen=True)
class WavLayout:
    channels: int
    width: int          # bytes per sample of one channel
    is_float: bool
    rate: int
    data_offset: int    # of the first sample in the file
    frames: int         # as the header says; a cut file holds fewer

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.width

    def describe(self) -> str:
        kind = "float" if self.is_float else "PCM"
        return f"WAV {8 * self.width}-bit {kind}, {self.channels} channel(s)"


def read_layout(path: str) -> WavLayout:
    """The layout of the WAV file ``path``; ValueError with the reason when it is not one
    sdrflow can read."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[8:12] != b"WAVE" or head[:4] not in (b"RIFF", b"RF64"):
            raise ValueError("no RIFF/RF64 WAVE header")
        big_data = None  # RF64: the data size from ds64
        fmt = None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                raise ValueError("no 'data' chunk" if fmt else "no 'fmt ' chunk")
            tag, size = struct.unpack("<4sI", chunk)
            if tag == b"ds64":
                body = f.read(size)
                if len(body) < 16:
                    raise ValueError("a ds64 chunk too short")
                big_data = struct.unpack("<Q", body[8:16])[0]
            elif tag == b"fmt ":
                fmt = f.read(size)
                if len(fmt) < 16:
                    raise ValueError("a 'fmt ' chunk too short")
            elif tag == b"data":
                if fmt is None:
                    raise ValueError("'data' before 'fmt '")
                offset = f.tell()
                break
            else:
                f.seek(size, 1)
            if size % 2:
                f.seek(1, 1)  # chunks are padded to even sizes
        end = f.seek(0, 2)
    code, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[:16])
    if code == EXTENSIBLE and len(fmt) >= 26:
        code = struct.unpack("<H", fmt[24:26])[0]  # the first two bytes of the sub-format GUID
    if code not in (PCM, FLOAT) or (code == PCM and bits not in (8, 16, 24, 32)) \
            or (code == FLOAT and bits != 32):
        raise ValueError(f"format {code} with {bits}-bit samples; sdrflow reads 8-, 16-, 24- "
                         f"and 32-bit PCM and 32-bit float")
    if channels < 1 or rate < 1:
        raise ValueError(f"{channels} channels at {rate} Hz")
    if size == 0xFFFFFFFF and big_data is not None:
        size = big_data
    elif size in (0, 0xFFFFFFFF):  # written by a stream that never came back to fill it in
        size = end - offset
    frames = size // (channels * (bits // 8))
    return WavLayout(channels, bits // 8, code == FLOAT, rate, offset, frames)


def to_float(raw: bytes, layout: WavLayout) -> np.ndarray:
    """Whole frames of ``raw`` as floats in [−1, 1), one row per frame."""
    width = layout.width
    if layout.is_float:
        values = np.frombuffer(raw, "<f4")
    elif width == 1:
        values = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) * np.float32(1 / 128)
    elif width == 2:
        values = np.frombuffer(raw, "<i2").astype(np.float32) * np.float32(1 / 32768)
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        values = ((b[:, 0] << 8 | b[:, 1] << 16 | b[:, 2] << 24) >> 8).astype(np.float32) \
            * np.float32(1 / 8388608)
    else:
        values = np.frombuffer(raw, "<i4").astype(np.float32) * np.float32(1 / 2147483648)
    return values.reshape(-1, layout.channels)
