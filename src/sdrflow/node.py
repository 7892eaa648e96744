"""How one block is scheduled: its edges, its inbox, its counters, and the checks on what its
``work`` returns. No threads here: a worker (runtime.py) calls ``Node.step`` over and over.

Ownership of output arrays is declared, never guessed: ``work`` returns arrays it got from
``self.buffer()``, or a ``passthrough`` block a leading slice of its first input.

A direct hand-off (``_pass_on``) runs the one reader of a local edge, when that is its only
input, straight on the writer's output: the items skip the ring (only its positions move), so
a chain costs one work call per block and its pool array moves down the chain.
"""
from __future__ import annotations

import collections
import logging
from time import perf_counter

import numpy as np

from .block import Block
from .errors import ContractError, SourceFailed
from .tags import Tag

log = logging.getLogger(__name__)
_DTYPES: dict = {}  # what buffer() was asked for → np.dtype, so the hot path skips np.dtype()


class Node:
    """The runtime side of one block: its edges, inbox and counters."""

    def __init__(self, block, chunk):
        self.block = block
        self.chunk = chunk
        self.inputs: list = [None] * len(block.inputs)  # (edge, reader index) each
        self.outputs: list = []            # one edge per stream output
        self.msg_out = collections.defaultdict(list)  # port -> [(node, port)]
        self.msg_senders: list = []
        self.inbox = collections.deque()
        self.worker = None
        self.done = False
        self._need = None  # a source's smallest worthwhile call (_step_source)
        rule = block.rate_rule
        # Integer form of the rate for the hot path; p = 0 marks a free rate.
        self._p, self._q = (0, 1) if rule.free else (rule.ratio.numerator, rule.ratio.denominator)
        self.max_in = chunk * 4  # most input items one work call gets
        self.propagate = block.propagate_tags
        self.passthrough = block.passthrough
        self.items_in = self.items_out = self.calls = 0
        self.work_seconds = 0.0
        self.messages_rejected = 0
        self._new_tags: list = []
        self._handed: list = []  # pool arrays given to work() in this call
        self._cur = 0
        self._view = None  # the input of a direct hand-off (_pass_on), and behind it
        self._given = None  # its pool array, which nobody reads after this call (see buffer)
        if not block.inputs and block.outputs:
            self.step = self._step_source
        elif block.inputs:
            self.step = self._step_stream
        elif type(block).poll is not Block.poll:
            self.step = self._step_poll
        else:
            self.step = self._step_messages

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

    def buffer(self, n, dtype, shape, reuse=None):
        """A pool array for this call's output (see ``Block.buffer``). With ``reuse`` the input
        of this call: that very array, when nobody reads it after this call (the pool array a
        direct hand-off gave, ``_given``): the output owns it."""
        if (reuse is not None and self._given is not None and reuse is self._view
                and len(reuse) == n and reuse.dtype == dtype
                and (reuse.ndim == 1 if not shape else reuse.shape[1:] == shape)):
            self._handed.append(self._given)
            self._given = None
            return reuse
        dt = _DTYPES.get(dtype)
        if dt is None:
            dt = _DTYPES[dtype] = np.dtype(dtype)
        base = self.worker.pool.get(n, dt, shape, self.chunk)
        self._handed.append(base)
        return base[:n]

    # -- the kinds of block --------------------------------------------------------------------
    def _space(self):
        """Room on the fullest output edge, or None when no reader wants more."""
        outs = self.outputs
        if len(outs) == 1:  # the usual case, without the generators
            return outs[0].space() if outs[0].open_readers else None
        return min(e.space() for e in outs) if any(e.open_readers for e in outs) else None

    def _step_source(self) -> bool:
        if self.inbox:
            self._drain_inbox()
        space = self._space()
        if space is None:  # every reader has finished: nobody needs more
            self.finish()
            return True
        if self._need is None:  # a chunk, or all an output edge holds (vector edges hold fewer)
            self._need = min(self.chunk, *(e.capacity for e in self.outputs))
        if space < self._need:
            return False
        n = min(self.chunk, space)
        self._cur = n
        t0 = perf_counter()
        try:
            result = self.block.work(n)
        except SourceFailed as e:  # the stream ends; what is in flight still reaches the sinks
            log.error("%s: %s", self.block.name, e)
            self.worker.runtime.defer(self.block, e)
            result = None
        self.work_seconds += perf_counter() - t0
        self.calls += 1
        if result is None:
            self._give_back()
            self.finish()
            return True
        self._emit(result, None, n, None)
        if self.block._eos:
            self.finish()
        return True

    def _step_direct(self) -> bool:
        """The step of a block fed by direct hand-offs: usually its input edge is empty, and
        only what could not be handed over directly (tags, a full output), the end, a message
        or the loss of its own readers is left to do."""
        edge = self.inputs[0][0]
        if (edge.end == edge.readers[0] and not edge.eos and not self.inbox
                and (not self.outputs or self.outputs[0].open_readers)):
            return False
        self.worker.spill = True  # the worker steps every node next round
        return self._step_stream()

    def _step_stream(self) -> bool:
        if self.inbox:
            self._drain_inbox()
        outs = self.outputs
        space = self._space() if outs else 1 << 62
        if space is None:  # every reader has finished: nobody needs more
            self.finish()
            return True
        n = self.max_in
        if outs and (self._p != self._q or n > space):
            n = self._fit(n, space)
            if n <= 0:
                return False
        views = []
        for edge, r in self.inputs:
            v = edge.read(r, n)  # a view up to n items long; None once the stream has ended
            if v is None:
                self._input_ended()
                return True
            if len(v) < n:
                if not len(v):
                    return False
                n = len(v)
            views.append(v)
        if len(views) > 1:
            views = [v[:n] for v in views]
        self._cur = n
        t0 = perf_counter()
        result = self.block.work(*views)
        self.work_seconds += perf_counter() - t0
        self._hand_on(result, self._collect_tags(n) if self.propagate else None, n, views[0])
        for edge, r in self.inputs:
            edge.consume(r, n)
        if self.block._eos:
            self.finish()
        return True

    def _input_ended(self):
        """The stream has ended and every item was read: the block posts what it held back
        (``Block.input_ended``; not when a stop closed the stream), then finishes."""
        if not self.worker.runtime.stopping:
            self.block.input_ended()
        self.finish()

    def _fit(self, n, space):
        """Most input items whose output fits in ``space``, by the rate rule."""
        p, q = self._p, self._q
        if p == q:
            return n if n <= space else space
        if p:  # n·p/q + 1 outputs at most
            return min(n, (space - 1) * q // p)
        n, most = min(n, space), self.block.max_output
        while n > 1 and most(n) > space:
            n //= 2
        return n if most(n) <= space else 0

    def _step_poll(self) -> bool:
        if self.inbox:
            self._drain_inbox()
        if not self.block.poll():
            self.finish()
        return True

    def _step_messages(self) -> bool:
        if self.inbox:
            self._drain_inbox()
            return True
        if self.msg_senders and all(n.done for n in self.msg_senders):
            self.finish()
            return True
        return False

    # -- outputs -------------------------------------------------------------------------------
    def _hand_on(self, result, tags, n, first_input):
        """Count a work call on ``n`` inputs and put what it returned on the output edges."""
        self.calls += 1
        self.items_in += n
        if self.outputs:
            self._emit(result, tags, n, first_input)
        elif self._handed:
            self._give_back()

    def _emit(self, result, tags, n, first_input):
        """Check what ``work`` returned for ``n`` inputs (a request of ``n`` for a source) and
        put it on the output edges."""
        outs = self.outputs
        if type(result) is tuple:
            results = result
            if len(results) != len(outs):
                self._fail(None, f"returned {len(results)} arrays for {len(outs)} outputs")
        elif len(outs) == 1:
            results = (result,)
        else:
            self._fail(None, f"returned a {type(result).__name__}; a block with {len(outs)} "
                             f"outputs returns a tuple of {len(outs)} arrays")
        new_tags = self._new_tags
        for port, edge in enumerate(outs):
            y = results[port]
            if y is None:
                y = edge.buf[:0]
            base = self._check(port, edge, y, n, first_input)
            m = len(y)
            if tags or new_tags:
                edge.put(y, self._out_tags(port, edge.end, m, tags, new_tags))
            elif edge.direct is not None and self._pass_on(edge, y, base):
                base = None  # the hand-off has given it back
            else:
                edge.put(y)
            if base is not None:
                self.worker.pool.put(base)
            if edge.direct is not None and edge.end != edge.readers[0]:
                self.worker.spill = True  # items wait for the direct reader
            self.items_out += m
        if new_tags:
            new_tags.clear()
        if self._handed:
            self._give_back()

    def _pass_on(self, edge, y, base) -> bool:
        """Run the edge's one reader (``edge.direct``: a block in this worker with this edge its
        only input) on ``y`` right now, without putting ``y`` on the edge; False when it
        cannot take all of ``y`` at once (items waiting, a full output), then ``y`` goes on the
        edge as usual. Errors are blamed on the reader through ``worker.active``.

        A run of such readers is one loop: while a 1:1 reader returns the plain result (its one
        pool array, all ``m`` items, the port's type, no tags) and its own reader can take
        it, the items go straight on; anything else goes through ``_hand_on``'s full checks."""
        node = edge.direct
        m = len(y)
        if not m or not node._can_take(edge, m):
            return False
        worker = self.worker
        ndarray = np.ndarray
        while True:
            worker.active = node
            block = node.block
            node._cur = m
            node._view = y
            node._given = base
            t0 = perf_counter()
            result = block.work(y)
            node.work_seconds += perf_counter() - t0
            node._view = None
            outs = node.outputs
            out = outs[0] if outs else None
            base = None
            if (out is not None and type(result) is ndarray and len(result) == m
                    and node._p == node._q and result.ndim == 1 and out.ndim == 1
                    and result.dtype is out.stype.dtype and not node._new_tags and not block._eos):
                handed = node._handed
                if handed:
                    if len(handed) == 1 and result.base is handed[0]:
                        base = handed.pop()
                elif node.passthrough and result.base is node._given is not None:
                    base, node._given = node._given, None  # the input, taken over whole
            if base is not None:
                node.calls += 1
                node.items_in += m
                node.items_out += m
                reader = out.direct
                follow = reader is not None and reader._can_take(out, m)
                if not follow:
                    out.put(result)
                    worker.pool.put(base)
                    if reader is not None:
                        worker.spill = True  # items wait for the direct reader
            else:
                follow = False
                node._hand_on(result, None, m, y)
            if node._given is not None:  # the input array, unless the block took it for its output
                worker.pool.put(node._given)
                node._given = None
            edge.pass_by(m)
            if block._eos:
                node.finish()
            if not follow:
                break
            edge, y, node = out, result, reader
        worker.active = None
        return True

    def _can_take(self, edge, m) -> bool:
        """Whether this direct reader of ``edge`` can run on ``m`` new items now (see
        ``_pass_on``): nothing waiting on the edge or in the inbox, room for its output."""
        if self.done or self.inbox or edge.readers[0] != edge.end:
            return False
        outs = self.outputs
        if not outs:
            return True
        space = outs[0].space()
        return outs[0].open_readers and (space >= m if self._p == self._q
                                         else self._fit(m, space) >= m)

    def _check(self, port, edge, y, n, first_input):
        """Check one output against the port and the rate rule; return its pool array, or None
        for a passed-through input slice (to be copied)."""
        if type(y) is not np.ndarray:
            self._fail(port, f"returned {type(y).__name__}, not a numpy array from self.buffer()")
        st = edge.stype
        if y.dtype is not st.dtype and y.dtype != st.dtype:
            self._fail(port, f"returned {y.dtype} items, the port carries {st}; convert in "
                             f"work (the engine never casts)")
        if y.ndim != edge.ndim or (edge.ndim == 2 and y.shape[1] != st.vlen):
            self._fail(port, f"returned an array of shape {y.shape}, expected (n,)"
                             + ("" if st.vlen == 1 else f" → (n, {st.vlen})"))
        m = len(y)
        p, q = self._p, self._q
        if first_input is None:                      # a source: at most what was asked
            if m > n:
                self._fail(port, f"returned {m} items when asked for at most {n}")
        elif q == 1 and p:  # 1:1 or interpolating: n·p exactly (the last call may stop short)
            if m != n * p and not (m < n * p and self.block._eos):
                self._fail(port, f"returned {m} items for {n} inputs; its rate rule is "
                                 f"{self.block.rate_rule}")
        elif p == 0:
            limit = self.block.max_output(n)
            if m > limit:
                self._fail(port, f"returned {m} items for {n} inputs, more than its "
                                 f"max_output({n}) = {limit}")
        else:
            # Over the whole stream, at most inputs·p/q plus one (a filter's delay may lag).
            total = edge.end + m
            if total * q > self.items_in * p + q:
                self._fail(port, f"has returned {total} items for {self.items_in} inputs; its "
                                 f"rate rule {self.block.rate_rule} allows at most "
                                 f"{-(-self.items_in * p // q)}")
        base = y.base
        handed = self._handed
        for i in range(len(handed) - 1, -1, -1):
            if handed[i] is base:
                return handed.pop(i)
        if self.passthrough and first_input is not None and base is not None \
                and base is first_input.base:
            return None
        if m == 0:
            return None
        self._fail(port, "returned an array that did not come from self.buffer(); fill "
                         "self.buffer(n, dtype) and return it (or a leading slice of it), or "
                         "declare passthrough = True for a block that returns a slice of its "
                         "first input")

    def _fail(self, port, what):
        where = "" if port is None else f" on output {self.block.outputs[port].name!r}"
        raise ContractError(f"work(){where} {what}")

    def _give_back(self):
        pool = self.worker.pool
        for h in self._handed:
            pool.put(h)
        self._handed.clear()

    def _collect_tags(self, n):
        return [t for edge, r in self.inputs for t in edge.tags(r, n)] or None

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
            e.close()  # wakes the readers' workers: a directly fed reader is stepped next round
        for edge, r in self.inputs:
            edge.detach_reader(r)
        for ports in self.msg_out.values():
            for node, _ in ports:
                node.worker.wake()


class Pool:
    """Free arrays of one worker, reused for block outputs so chains stay in the CPU cache.
    Kept by dtype for arrays of items, by (dtype, vector shape) for arrays of vectors."""

    def __init__(self):
        self.free = collections.defaultdict(list)

    def get(self, n, dtype, shape, minimum):
        arrays = self.free[(dtype, shape) if shape else dtype]
        if arrays and len(arrays[-1]) >= n:  # the usual case: the array given back last
            return arrays.pop()
        for i in range(len(arrays) - 2, -1, -1):
            if len(arrays[i]) >= n:
                return arrays.pop(i)
        per_item = int(np.prod(shape)) if shape else 1
        return np.empty((max(n, minimum // per_item, 1),) + shape, dtype)

    def put(self, array):
        self.free[array.dtype if array.ndim == 1 else (array.dtype, array.shape[1:])].append(array)
