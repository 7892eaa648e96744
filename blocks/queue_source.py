import queue

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port, StreamType


class QueueSource(Block):
    """Feeds a graph from Python code: arrays ``put`` from any thread come out as a stream.

    The queue is bounded (``maxsize`` arrays): ``put`` never waits, and an array that does not
    fit is dropped and counted in ``dropped`` (``fg.stats()``), so a producer that must not
    block (a live graph feeding a per-page receiver) never does. ``close()`` ends the stream.

    Signature: -> complex64 (or the given dtype)

    Parameters
    ----------
    rate : float
        Sample rate of what is put, in Hz.
    dtype : numpy dtype
        Item type (complex64 by default).
    maxsize : int
        Most arrays waiting.

    Example: ``src = QueueSource(2.4e6); src.put(samples)``
    """

    own_thread = True  # waits on the queue

    def __init__(self, rate: float, dtype=np.complex64, maxsize: int = 64):
        if not rate > 0:
            raise ValueError(f"QueueSource: rate must be > 0 Hz, got {rate!r}")
        self.sample_rate, self.dtype = float(rate), np.dtype(dtype)
        self.outputs = [Port("out", COMPLEX64 if self.dtype == np.complex64 else StreamType(self.dtype))]
        self._queue = queue.Queue(int(maxsize))
        self._rest = None
        self.dropped = self.items = 0

    def output_rate(self, rate):
        return self.sample_rate

    def put(self, items) -> bool:
        """Queue ``items`` (copied); False when the queue was full and they were dropped."""
        try:
            self._queue.put_nowait(np.array(items, self.dtype))
            return True
        except queue.Full:
            self.dropped += len(items)
            return False

    def close(self) -> None:
        """End the stream once what is queued has gone out."""
        try:
            self._queue.put(None, timeout=1)
        except queue.Full:
            self._closed_early = True

    _closed_early = False

    def work(self, n):
        part = self._rest
        while part is None:
            if self.stopping or self._closed_early:
                return None
            try:
                part = self._queue.get(timeout=0.1)
            except queue.Empty:
                continue
            if part is None:
                return None
        out = self.buffer(min(n, len(part)), self.dtype)
        out[:] = part[:len(out)]
        self._rest = part[len(out):] if len(out) < len(part) else None
        self.items += len(out)
        return out

    def counters(self) -> dict:
        return {"dropped": self.dropped}
