"""The runtime: the only threading code in sdrflow.

Blocks are spread over a few worker threads (``Flowgraph(threads=N)``; by default one, or
two for heavy graphs, see ``Runtime._partition``). A worker
owns a run of blocks in topological order and calls them one after the other, passing arrays
without copies, with output arrays recycled through a small pool so a chain stays in the CPU
cache; only edges between workers copy into a ring buffer. Numba kernels release the GIL, so
workers run in parallel. A block whose ``work`` waits on the outside world (file, radio,
socket) gets a worker of its own.
"""
from __future__ import annotations

import collections
import logging
import os
import threading
import time
from time import perf_counter

import numpy as np

from .edge import Edge, Tag
from .flowgraph import BlockError

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
        if not inputs:  # only message inputs
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


class Worker:
    """A thread that runs a list of nodes round-robin until all are done or the graph stops."""

    def __init__(self, runtime, nodes, index):
        self.runtime = runtime
        self.nodes = nodes
        self.event = threading.Event()
        self.pool = Pool()
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"sdrflow-worker-{index}")
        for node in nodes:
            node.worker = self

    def wake(self):
        self.event.set()

    def _run(self):
        rt, event, nodes = self.runtime, self.event, self.nodes
        current = None
        try:
            while not rt.stopping:
                event.clear()
                progress = alive = False
                for current in nodes:
                    if not current.done:
                        if current.step():
                            progress = True
                        if not current.done:
                            alive = True
                if not alive:
                    break
                if not progress:
                    event.wait(0.05)
        except BaseException as e:  # reported to wait(), which re-raises it naming the block
            rt.fail(current.block if current else None, e)
        finally:
            for node in nodes:
                try:
                    node.block.stop()
                except Exception as e:
                    rt.fail(node.block, e)
                node.block._node = None
                node.finish()
            rt.worker_done()


class Runtime:
    """Builds nodes and edges for a validated graph, spreads them over workers, runs them."""

    def __init__(self, fg, order, info):
        self.fg = fg
        self.stopping = False
        self.finished = False
        self.error = None
        self._lock = threading.Lock()
        self._running = 0
        self._all_done = threading.Event()
        self.nodes = {b: Node(b, fg.chunk) for b in order}
        for b, node in self.nodes.items():
            b._node = node
        groups = self._partition(order, info, fg.threads)
        self.workers = [Worker(self, [self.nodes[b] for b in g], i) for i, g in enumerate(groups)]
        self._build_edges(order, info)

    #: Estimated work per source sample above which a second DSP worker pays for its hand-overs.
    HEAVY = 128.0

    def _partition(self, order, info, threads):
        """Own-thread blocks alone; the rest cut into runs of about equal work.

        A block's work is its ``cost`` per input item times its input rate relative to the
        fastest stream, so blocks after a decimation weigh less. ``threads`` None picks one
        worker, or two when the total work is at least HEAVY and the machine has two cores."""
        own = [[b] for b in order if b.own_thread]
        rest = [b for b in order if not b.own_thread]
        rates = [r for b in order for r in (info[b][2], info[b][3]) if r]
        top = max(rates) if rates else 1.0
        weight = {b: max(b.cost, 1e-3) * ((info[b][2] or info[b][3] or top) / top) for b in rest}
        total = sum(weight.values())
        if threads is None:
            threads = 2 if total >= self.HEAVY and (os.cpu_count() or 1) >= 2 else 1
        self.threads = threads
        groups, acc, k = [[]], 0.0, max(1, min(threads, len(rest)))
        for b in rest:
            if groups[-1] and acc >= total * len(groups) / k:
                groups.append([])
            groups[-1].append(b)
            acc += weight[b]
        return [g for g in groups if g] + own

    def _build_edges(self, order, info):
        fg = self.fg
        cap = fg.chunk * fg.buffer_chunks
        for b in order:
            node = self.nodes[b]
            for o, stype in enumerate(info[b][1]):
                readers = [(d, i) for s, so, d, i in fg.streams if s is b and so == o]
                shared = any(self.nodes[d].worker is not node.worker for d, _ in readers)
                # Vector streams count items as vectors: keep about the same bytes per edge.
                items = max(cap // stype.vlen, 4 * fg.buffer_chunks)
                edge = Edge(stype, items, shared, name=f"{b.name}.{b.outputs[o].name}")
                edge.wake_writer = node.worker.wake
                edge.release = node.worker.pool.put
                wakes = []
                for d, i in readers:
                    dn = self.nodes[d]
                    while len(dn.inputs) <= i:
                        dn.inputs.append(None)
                    dn.inputs[i] = (edge, edge.add_reader())
                    wakes.append(dn.worker.wake)
                edge.wake_readers = _call_all(wakes)
                node.outputs.append(edge)
        for s, port, d, dport in fg.messages:
            self.nodes[s].msg_out[port].append((self.nodes[d], dport))
            self.nodes[d].msg_senders.append(self.nodes[s])

    def start(self):
        self._running = len(self.workers)
        for w in self.workers:
            w.thread.start()

    def fail(self, block, error):
        with self._lock:
            if self.error is None:
                self.error = (block.name if block else "?", error)
        self.stop()

    def stop(self):
        self.stopping = True
        for w in self.workers:
            w.wake()

    def worker_done(self):
        with self._lock:
            self._running -= 1
            if self._running == 0:
                self.finished = True
                self._all_done.set()

    def wait(self, timeout=None, reraise=True) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        # Short waits keep the main thread responsive to Ctrl-C.
        while not self._all_done.is_set():
            left = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
            if left <= 0:
                return False
            self._all_done.wait(left)
        for w in self.workers:
            w.thread.join()
        if reraise and self.error is not None:
            name, err = self.error
            raise BlockError(name, err) from err
        return True

    def deliver(self, block, port, message):
        node = self.nodes[block]
        node.inbox.append((port, message))
        node.worker.wake()

    def stats(self):
        rows = []
        for b, n in self.nodes.items():
            rows.append({
                "block": b.name, "worker": self.workers.index(n.worker) if n.worker else None,
                "items_in": n.items_in, "items_out": n.items_out, "work_calls": n.calls,
                "work_seconds": n.work_seconds,
                "buffer_fill": max((e.fill() for e in n.outputs), default=0.0),
                "messages_rejected": n.messages_rejected,
            })
        return rows


def _call_all(fns):
    if len(fns) == 1:
        return fns[0]

    def wake():
        for f in fns:
            f()
    return wake
