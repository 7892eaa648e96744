"""Edges: what carries items, tags and end of stream from one output port to its readers.

An edge is a bounded ring buffer with one writer and one or more readers (fan-out), each with
its own absolute read position (items since the start of the stream). Backpressure is
``space()``: the writer runs only when its output fits. The writer copies into the ring and
readers get views of it. Most local edges carry nothing, though: their one reader runs straight
on the writer's output (a direct hand-off, ``Node._pass_on``) and only the positions move.
"""
from __future__ import annotations

import bisect

import numpy as np

from .block import StreamType
from .tags import Tag

__all__ = ["Edge", "Tag"]


class Edge:
    """A bounded stream between one writer and its readers."""

    def __init__(self, stype: StreamType, capacity: int, shared: bool):
        self.stype = stype
        self.capacity = int(capacity)
        self.shared = shared  # True when the readers run in another thread
        self.buf = np.empty((self.capacity,) + stype.shape, stype.dtype)
        self.ndim = self.buf.ndim  # of the arrays on this edge: 1, or 2 for vectors
        self.end = 0
        self.readers: list[int] = []  # each reader's position
        self.reader_done: list[bool] = []
        self.open_readers = 0
        # (offsets, tags) replaced as one tuple, so a reader in another thread sees a whole state.
        self._tagdata: tuple = ((), ())
        self.eos = False
        # Wake-ups set by the runtime: called after data arrives / after space frees up.
        self.wake_readers = self.wake_writer = _noop
        self.direct = None  # the reader's Node when it may run straight on put's items (Node._pass_on)

    # -- readers -------------------------------------------------------------------------------
    def add_reader(self) -> int:
        self.readers.append(0)
        self.reader_done.append(False)
        self.open_readers += 1
        return len(self.readers) - 1

    def read(self, r: int, n: int):
        """Up to ``n`` unread items of reader ``r`` as one contiguous view (no copy): empty
        when nothing has come yet, None when nothing is left and the stream has ended.

        ``eos`` is read before ``end``: a writer that adds its last items and then closes can
        never make a reader see the close without the items."""
        eos = self.eos
        pos = self.readers[r]
        if pos >= self.end:
            return None if eos else self.buf[:0]
        i = pos % self.capacity
        return self.buf[i:i + min(self.end - pos, self.capacity - i, n)]

    def consume(self, r: int, n: int) -> None:
        """Reader ``r`` is done with its next ``n`` items."""
        self.readers[r] += n
        if self.shared:
            self.wake_writer()

    def detach_reader(self, r: int) -> None:
        """Reader ``r`` has finished: it no longer holds back the writer."""
        if not self.reader_done[r]:
            self.reader_done[r] = True
            self.open_readers -= 1
        self.wake_writer()

    def tags(self, r: int, n: int) -> list:
        """Tags on the next ``n`` items of reader ``r``."""
        offsets, tags = self._tagdata
        if not tags:
            return []
        pos = self.readers[r]
        lo, hi = bisect.bisect_left(offsets, pos), bisect.bisect_left(offsets, pos + n)
        return list(tags[lo:hi])

    # -- the writer ----------------------------------------------------------------------------
    def oldest(self) -> int:
        """Position of the oldest item some open reader still needs."""
        readers = self.readers
        if self.open_readers == len(readers):
            return readers[0] if len(readers) == 1 else min(readers)
        live = [p for p, done in zip(readers, self.reader_done) if not done]
        return min(live) if live else self.end

    def space(self) -> int:
        """How many items the writer may add now."""
        readers = self.readers
        if len(readers) == 1 and self.open_readers:
            return self.capacity - self.end + readers[0]
        return self.capacity - self.end + self.oldest()

    def fill(self) -> float:
        """Fraction of the buffer holding unread items."""
        return (self.end - self.oldest()) / self.capacity

    def put(self, items: np.ndarray, tags=()) -> None:
        """Append ``items`` (the caller checked ``space()``), wrapping at the ring's end."""
        for tag in tags:
            self._add_tag(tag)
        n, cap = len(items), self.capacity
        if n:
            i = self.end % cap
            k = min(n, cap - i)
            self.buf[i:i + k] = items[:k]
            if k < n:
                self.buf[:n - k] = items[k:]
            self.end += n
            if self.shared:
                self.wake_readers()

    def pass_by(self, n: int) -> None:
        """The one reader has taken ``n`` items straight from the writer (a direct hand-off,
        ``Node._pass_on``): both positions move past them, the ring untouched."""
        self.end += n
        self.readers[0] += n

    def close(self) -> None:
        """Mark end of stream."""
        self.eos = True
        self.wake_readers()

    def _add_tag(self, tag: Tag) -> None:
        offsets, tags = self._tagdata
        keep = bisect.bisect_left(offsets, self.oldest())  # drop tags every reader has passed
        offsets, tags = offsets[keep:], tags[keep:]
        i = bisect.bisect_right(offsets, tag.offset)
        self._tagdata = (offsets[:i] + (tag.offset,) + offsets[i:], tags[:i] + (tag,) + tags[i:])


def _noop():
    pass
