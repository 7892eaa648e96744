"""The runtime: the only threading code in sdrflow.

A worker thread runs a run of blocks in topological order, one after the other; by default
there are as many workers as the graph's work repays on this machine's cores (``plan_workers``).
Numba kernels release the GIL, so workers run in parallel. A block whose ``work`` waits on the
outside world (file, radio, socket) gets a worker of its own.
"""
from __future__ import annotations

import os
import threading
import time

from .edge import Edge
from .errors import BlockError
from .node import Node, Pool


#: Work per source sample (multiply-adds, roughly) that one hand-over between workers costs
#: each side: a copy into a ring and two GIL switches.
HANDOVER = 32.0


def plan_workers(weights, cores: int, threads: int | None = None) -> list:
    """Split blocks (their work per source sample, in topological order) into contiguous runs,
    one per worker; returns lists of indices.

    A run pays a hand-over on each side (``HANDOVER``), so a worker is worth adding only when
    each run still does at least twice that in real work: the count is the largest k ≤
    ``cores`` (and ≤ the blocks) with total/k ≥ 2·HANDOVER, unless ``threads`` fixes it. The
    cuts then give each run about total/k."""
    n = len(weights)
    if n == 0:
        return []
    total = float(sum(weights))
    auto = threads is None
    if auto:
        threads = max(1, min(cores, n, int(total // (2 * HANDOVER))))
    k = max(1, min(int(threads), n))
    target = total / k
    groups, acc = [[]], 0.0
    for i, w in enumerate(weights):
        # Cut before a block when more than half of it would spill over the run's share.
        if groups[-1] and acc + w / 2 > target and len(groups) < k:
            groups.append([])
            acc = 0.0
        groups[-1].append(i)
        acc += w
    if auto:  # a run too light to repay its hand-overs joins its lighter neighbour
        work = lambda g: sum(weights[i] for i in g)  # noqa: E731
        while len(groups) > 1:
            light = min(range(len(groups)), key=lambda j: work(groups[j]))
            if work(groups[light]) >= 2 * HANDOVER:
                break
            if light == 0 or (light < len(groups) - 1
                              and work(groups[light + 1]) < work(groups[light - 1])):
                groups[light:light + 2] = [groups[light] + groups[light + 1]]
            else:
                groups[light - 1:light + 1] = [groups[light - 1] + groups[light]]
    return groups


class Worker:
    """A thread that runs a list of nodes round-robin until all are done or the graph stops."""

    def __init__(self, runtime, nodes, index):
        self.runtime = runtime
        self.nodes = nodes
        self.event = threading.Event()
        self.pool = Pool()
        self.active = None  # the node inside a direct hand-off (Node._pass_on), for errors
        self.spill = False  # a node fed directly has work: step every node next round (_run)
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name=f"sdrflow-worker-{index}")
        for node in nodes:
            node.worker = self

    def wake(self):
        self.event.set()

    def _run(self):
        """Step the nodes round after round. A node fed only by direct hand-offs
        (``Node._pass_on``) usually has nothing to do, so a round may leave those out: a full
        round comes after a wake-up, after a round that found work for them (``spill``),
        every eighth round, and always before the worker sleeps, so nothing waits for
        long and the worker never sleeps while a node could move."""
        rt, event, nodes = self.runtime, self.event, self.nodes
        current = None
        full, rounds = True, 0
        try:
            lead = [n for n in nodes if n.step != n._step_direct]  # not fed directly
            while not rt.stopping:
                if event.is_set() or self.spill:
                    event.clear()
                    full, self.spill = True, False
                progress = alive = False
                for current in (nodes if full else lead):
                    if not current.done:
                        if current.step():
                            progress = True
                        if not current.done:
                            alive = True
                if full and not alive:
                    break
                rounds += 1
                if progress:
                    full = rounds % 8 == 0
                elif full:
                    event.wait(0.05)
                else:
                    full = True
        except BaseException as e:  # reported to wait(), which re-raises it naming the block
            node = self.active or current
            rt.fail(node.block if node else None, e)
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
        self.joined = False  # wait() has seen every worker end
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

    def _partition(self, order, info, threads):
        """Own-thread blocks alone; the rest cut by ``plan_workers`` into runs of about equal
        work. A block's work is its ``cost`` per input item times its input rate relative to
        the fastest stream, so blocks after a decimation weigh less."""
        own = [[b] for b in order if b.own_thread]
        rest = [b for b in order if not b.own_thread]
        rates = [r for b in order for r in (info[b][2], info[b][3]) if r]
        top = max(rates) if rates else 1.0
        weights = [max(b.cost, 1e-3) * ((info[b][2] or info[b][3] or top) / top) for b in rest]
        cuts = plan_workers(weights, os.cpu_count() or 1, threads)
        self.threads = len(cuts)
        self.plan = {"workers": self.threads, "cores": os.cpu_count() or 1,
                     "work_per_sample": sum(weights), "handover": HANDOVER}
        return [[rest[i] for i in group] for group in cuts] + own

    def _build_edges(self, order, info):
        fg = self.fg
        depth = {}  # length of the run of direct hand-offs ending at a block
        for b in order:
            node = self.nodes[b]
            for o, stype in enumerate(info[b][1]):
                readers = [(self.nodes[d], i) for s, so, d, i in fg.streams if s is b and so == o]
                shared = any(dn.worker is not node.worker for dn, _ in readers)
                # Vector streams count items as vectors: keep about the same bytes per edge.
                items = max(fg.chunk * fg.buffer_chunks // stype.vlen, 4 * fg.buffer_chunks)
                edge = Edge(stype, items, shared)
                edge.wake_writer = node.worker.wake
                edge.wake_readers = _call_all([dn.worker.wake for dn, _ in readers])
                for dn, i in readers:
                    dn.inputs[i] = (edge, edge.add_reader())
                node.outputs.append(edge)
                # A block that only reads this edge runs straight on its writer's output
                # (Node._pass_on); runs are cut now and then to bound the recursion.
                dn, d = readers[0][0], readers[0][0].block
                if (len(readers) == 1 and not shared and len(d.inputs) == 1
                        and len(d.outputs) <= 1 and depth.get(b, 0) < 32):
                    edge.direct = dn
                    dn.step = dn._step_direct
                    depth[d] = depth.get(b, 0) + 1
        for s, port, d, dport in fg.messages:
            self.nodes[s].msg_out[port].append((self.nodes[d], dport))
            self.nodes[d].msg_senders.append(self.nodes[s])

    def start(self):
        self._running = len(self.workers)
        for w in self.workers:
            w.thread.start()

    def fail(self, block, error):
        self.defer(block, error)
        self.stop()

    def defer(self, block, error):
        """Keep the first error for ``wait`` to raise. Alone (a source whose device or
        connection was lost), the stream ends as usual and the graph drains first."""
        with self._lock:
            if self.error is None:
                self.error = (block.name if block else "?", error)

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
        # Short waits keep the main thread responsive to Ctrl-C. On an event, not Thread.join:
        # a Ctrl-C or SIGTERM that interrupts join() can mark a running thread as ended
        # (CPython 3.11, bpo-45274's fix), and the stop would then not wait for the sinks.
        while not self._all_done.is_set():
            left = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
            if left <= 0:
                return False
            self._all_done.wait(left)
        for w in self.workers:
            w.thread.join()
        self.joined = True
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
            counters = b.counters()  # also apart, to tell them from the engine's own
            rows.append({
                "block": b.name, "worker": self.workers.index(n.worker) if n.worker else None,
                "items_in": n.items_in, "items_out": n.items_out, "work_calls": n.calls,
                "work_seconds": n.work_seconds,
                "buffer_fill": max((e.fill() for e in n.outputs), default=0.0),
                "messages_rejected": n.messages_rejected,
                **counters, **({"counters": counters} if counters else {})})
        return rows


def _call_all(fns):
    return fns[0] if len(fns) == 1 else lambda: [f() for f in fns]
