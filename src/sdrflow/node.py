"""How one block is scheduled: its edges, its inbox, its counters, and who owns the arrays it
returns. No threads here: a worker (runtime.py) calls ``Node.step`` over and over."""
from __future__ import annotations

import collections
import logging
from time import perf_counter

import numpy as np

from .block import Block
from .edge import Edge, Tag

log = logging.getLogger(__name__)


class Node:
    """The runtime side of one block: its edges, inbox and counters."""

    def __init__(self, block, chunk):
        self.block = block
        self.chunk = chunk
        self.inputs: list[tuple] = []      # (edge, reader index) per stream input
        self.outputs: list[Edge] = []      # one edge per stream output
        self.msg_out = collections.defaultdict(list)  # port -> [(node, port)]
        self.msg_senders: list = []
        self.inbox = collections.deque()
        self.worker = None
        self.done = False
        ratio = block.rate_rule.ratio
        self.ratio = ratio
        # Integer form of the rate for the hot path; p = 0 marks a free rate.
        self._p, self._q = (0, 1) if ratio is None else (ratio.numerator, ratio.denominator)
        self._sync = self._p == self._q == 1
        self.max_in = chunk * 4  # most input items one work call gets
        self.propagate = block.propagate_tags
        self.is_source = not block.inputs and bool(block.outputs)
        # A block with no stream ports that makes messages from the outside world.
        self.polls = not block.inputs and not block.outputs and type(block).poll is not Block.poll
        self.items_in = self.items_out = self.calls = 0
        self.work_seconds = 0.0
        self.messages_rejected = 0
        self._new_tags: list = []
        self._handed: list = []  # pool arrays given to work() in this call
        self._cur = 0

    # -- called from work() through the Block helpers ------------------------------------------
    def add_tag(self, port, index, key, value):
        self._new_tags.append((port, index, key, value))

    def input_tags(self, port):
        edge, r = self.inputs[port]
        pos = edge.readers[r]
        return [(t.offset - pos, t.key, t.value) for t in edge.tags(r, self._cur)]

    def post(self, port, message):
        for node, dport in self.msg_out.get(port, ()):
            node.inbox.append((dport, message))
            node.worker.wake()

    def buffer(self, n, dtype, shape):
        base = self.worker.pool.get(n, dtype, shape, self.chunk)
        self._handed.append(base)
        return base[:n]

    # -- scheduling ----------------------------------------------------------------------------
    def step(self) -> bool:
        """Do one work call if inputs and output space allow; True if anything happened."""
        if self.inbox:
            self._drain_inbox()
        outs = self.outputs
        space = 1 << 62
        listened = not outs
        for e in outs:
            # e.space(), inlined: this runs for every block on every pass
            s = e.capacity - e.end + (e.readers[0] if e.single else e._oldest())
            if s < space:
                space = s
            if e.open_readers:
                listened = True
        if not listened:  # every reader has finished: nobody needs more
            self.finish()
            return True
        if self.is_source:
            if space < self.chunk:
                return False
            return self._call_source(space)
        inputs = self.inputs
        if not inputs:  # no stream ports: a message source (poll) or a message sink
            if self.polls:
                if not self.block.poll():
                    self.finish()
                return True
            if not self.inbox and self.msg_senders and all(n.done for n in self.msg_senders):
                self.finish()
                return True
            return False
        n = self.max_in
        for edge, r in inputs:
            a = edge.end - edge.readers[r]
            if a <= 0:
                if edge.eos:
                    self.finish()
                    return True
                return False
            if a < n:
                n = a
        if outs:
            if self._sync:
                if space < n:
                    n = space
            else:  # n·p/q + 1 outputs at most (p = 0: free rate, one output per input at most)
                n = min(n, space if not self._p else (space - 1) * self._q // self._p)
            if n <= 0:
                return False
        if len(inputs) == 1:
            edge, r = inputs[0]
            views = (edge.view(r, n),)
            n = len(views[0])
        else:
            views = [edge.view(r, n) for edge, r in inputs]
            n = min(len(v) for v in views)
            views = [v[:n] for v in views]
        for e in outs:
            if e.lent is not None:
                e.settle()
        self._cur = n
        block = self.block
        t0 = perf_counter()
        result = block.work(*views)
        self.work_seconds += perf_counter() - t0
        self.calls += 1
        self.items_in += n
        tags = None
        if self.propagate:
            for edge, r in inputs:
                if edge._tagdata[1]:
                    tags = self._collect_tags(n)
                    break
        if outs:
            self._emit(result, tags, space)
        elif self._handed:
            self._give_back()
        for edge, r in inputs:
            # edge.consume(r, n), inlined
            edge.readers[r] += n
            if edge.shared:
                edge.wake_writer()
            elif edge.lent is not None and (edge.readers[0] if edge.single else edge._oldest()) >= edge.end:
                edge._drop_lent()
        if block._eos:
            self.finish()
        return True

    def _call_source(self, space) -> bool:
        n = min(self.chunk, space)
        for e in self.outputs:
            if e.lent is not None:
                e.settle()
        self._cur = n
        t0 = perf_counter()
        result = self.block.work(n)
        self.work_seconds += perf_counter() - t0
        self.calls += 1
        if result is None:
            self._give_back()
            self.finish()
            return True
        self._emit(result, None, space)
        if self.block._eos:
            self.finish()
        return True

    def _emit(self, result, tags, space):
        outs = self.outputs
        results = result if type(result) is tuple else (result,)
        if len(results) != len(outs):
            raise TypeError(f"work() returned {len(results)} array(s) for {len(outs)} output(s)")
        new_tags = self._new_tags
        for port in range(len(outs)):
            edge, y = outs[port], results[port]
            if y is None:
                continue
            m = len(y)
            if m > space:
                raise RuntimeError(f"work() returned {m} items, more than the rate rule allows "
                                   f"({space}); a free-rate block must define max_output()")
            port_tags = ()
            if tags or new_tags:
                port_tags = self._out_tags(port, edge.end, m, tags, new_tags)
            if edge.shared:
                edge.put(y, port_tags)
            else:
                y, base, stable = self._owner(y)
                edge.put(y, port_tags, base, stable)
            self.items_out += m
        new_tags.clear()
        if self._handed:
            self._give_back()

    def _owner(self, y):
        """Who owns the memory of an output lent to a local edge: (array, pool base, stable).

        A pool buffer from ``buffer()`` passes to the edge. Memory that never changes (a
        ``stable_output`` block's, or a view of it) is lent as it is. A view of an input is
        moved along with its pool buffer when this block is its only reader, else copied.
        Other memory is the block's own (``scratch``); the edge copies what is left of it
        before the block runs again."""
        b = y.base
        handed = self._handed
        if handed and handed[-1] is b and b is not None:
            return y, handed.pop(), False
        if b is None:
            b = y
        for i, h in enumerate(handed):
            if h is b:
                del handed[i]
                return y, b, False
        if self.block.stable_output:
            return y, None, True
        for edge, r in self.inputs:
            lent = edge.lent
            if lent is not None and np.may_share_memory(y, lent):
                if edge.lent_stable:
                    return y, None, True
                if edge.lent_base is not None and len(edge.readers) == 1:
                    base, edge.lent_base = edge.lent_base, None
                    return y, base, False
                break
        else:
            if not any(np.may_share_memory(y, edge.buf) for edge, _ in self.inputs):
                return y, None, False
        copy = self.buffer(len(y), y.dtype, y.shape[1:])
        copy[:] = y
        self._handed.pop()
        return copy, copy.base, False

    def _give_back(self):
        pool = self.worker.pool
        for h in self._handed:
            pool.put(h)
        self._handed.clear()

    def _collect_tags(self, n):
        tags = []
        for edge, r in self.inputs:
            if edge._tagdata[1]:
                tags += edge.tags(r, n)
        return tags

    def _out_tags(self, port, start, m, tags, new_tags):
        out = []
        for t in tags or ():
            # A tag moves to the first output at or after its input item: ceil(offset·p/q).
            off = start if not self._p else max(start, -(-t.offset * self._p // self._q))
            out.append(Tag(min(off, start + max(m - 1, 0)), t.key, t.value))
        for p, index, key, value in new_tags:
            if p == port:
                out.append(Tag(start + index, key, value))
        return out

    def _drain_inbox(self):
        while self.inbox:
            port, message = self.inbox.popleft()
            try:
                self.block.handle_message(port, message)
            except (ValueError, TypeError) as e:
                self.messages_rejected += 1
                log.warning("%s rejected a message on %r: %s", self.block.name, port, e)

    def finish(self):
        if self.done:
            return
        self.done = True
        for e in self.outputs:
            e.close()
        for edge, r in self.inputs:
            edge.detach_reader(r)
        for ports in self.msg_out.values():
            for node, _ in ports:
                node.worker.wake()


class Pool:
    """Free arrays of one worker, reused for block outputs so chains stay in the CPU cache."""

    def __init__(self):
        self.free = collections.defaultdict(list)

    def get(self, n, dtype, shape, minimum):
        arrays = self.free[(dtype, shape)]
        for i in range(len(arrays) - 1, -1, -1):
            if len(arrays[i]) >= n:
                return arrays.pop(i)
        per_item = int(np.prod(shape)) if shape else 1
        return np.empty((max(n, minimum // per_item, 1),) + shape, dtype)

    def put(self, array):
        self.free[(array.dtype, array.shape[1:])].append(array)
