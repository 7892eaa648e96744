import numpy as np

from sdrflow.block import Block, Port, StreamType


class VectorSource(Block):
    """Plays a numpy array, once or repeated, with optional tags.

    Signature: -> the array's dtype (complex64, float32, int16, uint8; 2-D arrays are vectors)

    Parameters
    ----------
    data : array_like
        The items to play. A 2-D array is a stream of vectors of its row length.
    rate : float
        Sample rate in Hz.
    repeat : bool
        Loop forever (put a Head after it).
    tags : list of Tag
        Tags to attach, at offsets into ``data`` (first pass only).

    Example: ``VectorSource(np.ones(1000, np.complex64), rate=1e6)``
    """

    def __init__(self, data, rate: float, repeat: bool = False, tags=()):
        data = np.array(data, copy=True, order="C")
        if data.dtype == np.complex128:
            data = data.astype(np.complex64)
        elif data.dtype == np.float64:
            data = data.astype(np.float32)
        if data.ndim not in (1, 2) or len(data) == 0:
            raise ValueError("VectorSource: data must be a non-empty 1-D array (or 2-D for vectors)")
        if not rate > 0:
            raise ValueError(f"VectorSource: rate must be > 0 Hz, got {rate!r}")
        self.data, self.sample_rate, self.repeat = data, float(rate), bool(repeat)
        self.tags = sorted(tags, key=lambda t: t.offset)
        vlen = data.shape[1] if data.ndim == 2 else 1
        self.outputs = [Port("out", StreamType(data.dtype, vlen))]

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        self._pos = 0
        self._sent = 0
        if self.repeat and len(self.data) < 65536:
            # Serve repeats from a longer copy so each call is one slice, not a Python loop.
            reps = -(-65536 // len(self.data)) + 1
            self._loop = np.concatenate([self.data] * reps)
        else:
            self._loop = self.data

    def work(self, n):
        size = len(self.data)
        if self._pos >= size:
            if not self.repeat:
                return None
            self._pos %= size
        end = self._pos + n if self.repeat else min(self._pos + n, size)
        if end > len(self._loop):
            end = len(self._loop)
        out = self.buffer(end - self._pos, self.data.dtype, self.data.shape[1:])
        out[:] = self._loop[self._pos:end]
        for t in self.tags:
            at = t.offset - self._sent
            if self._sent < size and 0 <= at < len(out) and t.offset < size:
                self.add_tag(at, t.key, t.value)
        self._sent += len(out)
        self._pos = end
        return out
