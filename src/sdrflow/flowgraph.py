"""Flowgraph: connect blocks, check the graph, and run it.

    fg = Flowgraph()
    fg.connect(source, FIRFilter(taps), FMDemod(75e3), WAVSink("out.wav"))
    fg.run()

Everything that can be checked is checked before a thread starts: port names and types,
unconnected ports, cycles, sample rates. Running is delegated to ``runtime.Runtime``.
"""
from __future__ import annotations

import graphlib
import logging
import math

from .block import Block, HierBlock, StreamType, _port_of
from .errors import BlockError, GraphError
from .runtime import Runtime

__all__ = ["Flowgraph", "GraphError", "BlockError"]

log = logging.getLogger(__name__)


def _endpoint(item, default_port=0):
    if isinstance(item, tuple):
        if len(item) != 2 or not isinstance(item[0], Block):
            raise GraphError(f"an endpoint is a block or (block, port), got {item!r}")
        return item
    if not isinstance(item, Block):
        raise GraphError(f"connect() takes blocks or (block, port) pairs, got {item!r}")
    return item, default_port


class Flowgraph:
    """A graph of blocks.

    Parameters
    ----------
    chunk : int
        Items a source makes per call (default 131072): larger means less Python per sample,
        smaller keeps more of a chain in the CPU cache.
    threads : int, optional
        Worker threads sharing the DSP blocks. By default (None) the runtime chooses from the
        graph's estimated work per sample and ``os.cpu_count()`` (``runtime.plan_workers``):
        every hand-over between workers costs a copy and a GIL switch, so a worker is added
        only where its share of the work repays that. ``plan()`` and ``--stats`` show the
        choice. Blocks that wait on the outside world (files, radios, sockets) always get a
        thread of their own.
    buffer_chunks : int
        Capacity of every edge, in chunks: this bounds memory whatever the stream length.
    """

    def __init__(self, chunk: int = 131072, threads: int | None = None, buffer_chunks: int = 4):
        if int(chunk) < 1:
            raise GraphError(f"chunk must be >= 1 item, got {chunk}")
        if threads is not None and int(threads) < 1:
            raise GraphError(f"threads must be >= 1, got {threads}")
        if int(buffer_chunks) < 2:
            raise GraphError(f"buffer_chunks must be >= 2, got {buffer_chunks}")
        self.chunk, self.buffer_chunks = int(chunk), int(buffer_chunks)
        self.threads = None if threads is None else int(threads)
        self.blocks: list[Block] = []
        self.streams: list[tuple] = []   # (src, out_index, dst, in_index)
        self.messages: list[tuple] = []  # (src, out_name, dst, in_name)
        self._hiers: set = set()
        self._runtime = None
        self.links: dict = {}   # ZMQPullSource -> the ZMQPushSink feeding it (``via=`` edges)
        self.parts: dict = {}   # name -> Part (``part()``): where blocks run across hosts

    # -- building ------------------------------------------------------------------------------
    def add(self, block: Block) -> Block:
        """Add a block that has no connections yet (e.g. a message-only block)."""
        if isinstance(block, HierBlock):
            self._flatten(block)
        elif block not in self.blocks:
            if not isinstance(block, Block):
                raise GraphError(f"{block!r} is not a Block")
            self.blocks.append(block)
        return block

    def connect(self, *endpoints, via: str | None = None) -> None:
        """Connect blocks: ``connect(a, b, c)`` chains port 0s; ``connect((a, 1), (b, "in"))``
        names ports by index or name; message ports are connected the same way, by name.

        ``via="ipc"`` or ``via="tcp://HOST:PORT"`` carries a stream edge over ZeroMQ (a
        ZMQPushSink and a ZMQPullSource put in between): its type, rate, tags and end travel
        with it and its counters show in ``stats()`` — the edge ``sdrflow run --processes``
        and ``--part`` put between processes and hosts."""
        if self._runtime is not None:
            raise GraphError("connect() after start(): build the graph first, then start it")
        if len(endpoints) < 2:
            raise GraphError("connect() needs at least two endpoints")
        if via is not None:
            from .split import link_pair

            if len(endpoints) != 2:
                raise GraphError("connect(a, b, via=...) carries one edge: give two endpoints")
            sink, source = link_pair(via)
            self._connect_pair(_endpoint(endpoints[0]), (sink, 0))
            self._connect_pair((source, 0), _endpoint(endpoints[1]))
            self.links[source] = sink
            return
        for a, b in zip(endpoints, endpoints[1:]):
            self._connect_pair(_endpoint(a), _endpoint(b))

    def part(self, name: str, *blocks, host: str = "127.0.0.1", port: int = 5600,
             bind: str | None = None):
        """Place ``blocks`` (hierarchical ones with all they hold) in the part ``name``, for
        ``sdrflow run SCRIPT --part NAME``, which starts only that part; every edge between
        two parts becomes a CURVE-authenticated ZeroMQ stream over tcp. A part that sends
        listens on ``host`` (its address as the other hosts reach it; ``bind`` if its own
        interface differs, e.g. "0.0.0.0") from ``port`` up, one port per outgoing edge."""
        from .split import place

        return place(self, name, blocks, host, port, bind)

    def _connect_pair(self, a, b) -> None:
        for src, sport in self._resolve(a[0], a[1], outputs=True):
            for dst, dport in self._resolve(b[0], b[1], outputs=False):
                self._connect_flat(src, sport, dst, dport)

    def _resolve(self, block, port, outputs):
        """Map a (block, port) through hierarchical blocks to inner (block, port) pairs."""
        if not isinstance(block, HierBlock):
            return [(block, port)]
        self.add(block)
        name = _port_of(block, port, outputs).name
        targets = [block._out_map[name]] if outputs else block._in_map[name]
        found = []
        for blk, p in targets:
            found += self._resolve(blk, p, outputs)
        return found

    def _flatten(self, hier: HierBlock) -> None:
        if hier in self._hiers:
            return
        self._hiers.add(hier)
        for endpoints in hier._connections:
            self.connect(*endpoints)
        for targets in hier._in_map.values():
            for blk, _ in targets:
                self.add(blk)
        for blk, _ in hier._out_map.values():
            self.add(blk)

    def _connect_flat(self, src, sport, dst, dport) -> None:
        if src is dst:
            raise GraphError(f"cannot connect {src.name} to itself")
        sp, dp = _port_of(src, sport, True), _port_of(dst, dport, False)
        if sp.is_message != dp.is_message:
            kinds = lambda p: "message" if p.is_message else "stream"
            raise GraphError(f"cannot connect {kinds(sp)} output {src.name}.{sp.name} to "
                             f"{kinds(dp)} input {dst.name}.{dp.name}")
        for s, o, d, i in self.streams:
            if d is dst and dst.inputs[i] == dp:
                raise GraphError(f"{dst.name}.{dp.name} is already fed by {s.name}; an input takes "
                                 f"one stream (an output may feed several inputs)")
        if isinstance(sp.type, StreamType) and not dp.accepts(sp.type):
            raise GraphError(f"type mismatch: {src.name}.{sp.name} gives {sp.type} but "
                             f"{dst.name}.{dp.name} takes {dp.describe()}; put a conversion "
                             f"block between them")
        self.add(src)
        self.add(dst)
        if sp.is_message:
            self.messages.append((src, sp.name, dst, dp.name))
        else:
            self.streams.append((src, src.outputs.index(sp), dst, dst.inputs.index(dp)))

    # -- checking ------------------------------------------------------------------------------
    def validate(self):
        """Check the whole graph; return (topological order, {block: (input types, output types,
        input rate, output rate)}). Raises GraphError naming the blocks and ports at fault."""
        if not self.blocks:
            raise GraphError("the flowgraph has no blocks")
        feeds = {b: [None] * len(b.inputs) for b in self.blocks}
        for src, o, dst, i in self.streams:
            feeds[dst][i] = (src, o)
        read = {(s, o) for s, o, _, _ in self.streams}
        for b in self.blocks:
            for p, feed in zip(b.inputs, feeds[b]):
                if feed is None:
                    raise GraphError(f"unconnected input {b.name}.{p.name}: connect a source to it")
            for o, p in enumerate(b.outputs):
                if (b, o) not in read:
                    raise GraphError(f"unconnected output {b.name}.{p.name}: connect it, or to a "
                                     f"NullSink to discard it")
        info = {}
        for b in self._toposort():
            if b in self.links:  # a via= edge: the far end delivers what the near end takes
                sink = self.links[b]
                b._adopt(info[sink][0][0], info[sink][2])
            in_types = [info[src][1][o] for src, o in feeds[b]]
            for (src, o), p, t in zip(feeds[b], b.inputs, in_types):
                if not p.accepts(t):
                    raise GraphError(f"type mismatch: {src.name}.{src.outputs[o].name} gives {t} "
                                     f"but {b.name}.{p.name} takes {p.describe()}")
            out_types = b.output_types(in_types)
            for p, t in zip(b.outputs, out_types):
                if not isinstance(t, StreamType):
                    raise GraphError(f"{b.name}.{p.name} has no concrete type ({p.describe()})")
            rates = [info[src][3] for src, _ in feeds[b]]
            rate = rates[0] if rates else None
            for p, r in zip(b.inputs[1:], rates[1:]):
                if not math.isclose(r, rate, rel_tol=1e-9):
                    raise GraphError(f"rate conflict at {b.name}: input {b.inputs[0].name} runs "
                                     f"at {rate:g} Hz but {p.name} at {r:g} Hz; resample one "
                                     f"of them")
            out_rate = None
            if b.outputs:
                try:
                    out_rate = b.output_rate(rate)
                except (ValueError, TypeError) as e:
                    raise GraphError(f"{b.name}: {e}") from e
                if out_rate is not None and not (math.isfinite(out_rate) and out_rate > 0):
                    raise GraphError(f"{b.name}: sample rate must be a positive number of Hz, "
                                     f"got {out_rate!r}")
            info[b] = (in_types, out_types, rate, out_rate)
        return list(info), info

    def _toposort(self) -> list:
        ts = graphlib.TopologicalSorter({b: () for b in self.blocks})
        for s, _, d, _ in self.streams:
            ts.add(d, s)
        for source, sink in self.links.items():
            ts.add(source, sink)
        try:
            return list(ts.static_order())
        except graphlib.CycleError as e:
            raise GraphError(f"the graph has a cycle through {', '.join(b.name for b in e.args[1])}"
                             f"; stream connections must not loop (use messages for feedback)"
                             ) from None

    # -- running -------------------------------------------------------------------------------
    def start(self) -> None:
        """Validate, start every block (rate-dependent setup), then start the worker threads."""
        if self._runtime is not None and not self._runtime.finished:
            raise GraphError("the flowgraph is already running")
        order, info = self.validate()
        started = []
        try:
            for b in order:
                b._eos = False
                b.input_types = list(info[b][0])
                try:
                    b.start(info[b][2])
                except Exception as e:
                    raise GraphError(f"{b.name} cannot start: {e}") from e
                started.append(b)
            self._runtime = Runtime(self, order, info)
        except BaseException:
            # Whatever started is stopped again: sockets unbound, files closed, devices freed.
            for b in reversed(started):
                try:
                    b.stop()
                except Exception as e:
                    log.warning("%s did not stop cleanly after a failed start: %s", b.name, e)
            raise
        self._runtime.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the end of stream (or a stop); True when finished. Re-raises a block's error
        as BlockError naming the block."""
        if self._runtime is None:
            raise GraphError("wait() before start()")
        return self._runtime.wait(timeout)

    def stop(self) -> None:
        """Stop every block promptly; sinks flush what they had."""
        if self._runtime is not None:
            self._runtime.stop()

    @property
    def running(self) -> bool:
        """True between start() and the end of the run."""
        return self._runtime is not None and not self._runtime.finished

    def run(self) -> None:
        """Start (unless started) and wait for the end of stream. Ctrl-C stops the graph
        cleanly, then re-raises."""
        if self._runtime is None or self._runtime.joined:  # not started, or already waited for
            self.start()
        self._wait_stopping_on_ctrl_c()

    def _wait_stopping_on_ctrl_c(self) -> None:
        try:
            self.wait()
        except KeyboardInterrupt:
            self.stop()
            self._runtime.wait(None, reraise=False)
            raise

    def post(self, block: Block, port: str, message) -> None:
        """Send a message to ``block``'s message input ``port`` from outside the graph."""
        if port not in block.message_inputs:
            raise GraphError(f"{block.name} has no message input {port!r}; it has "
                             f"{list(block.message_inputs)}")
        default = type(block).handle_message is Block.handle_message
        for key in message if default and isinstance(message, dict) else ():
            if not callable(getattr(block, f"set_{key}", None)):
                raise GraphError(f"{block.name} cannot set {key!r} while running")
        if self._runtime is None or self._runtime.finished:
            raise GraphError("post() needs a running flowgraph: call start() first")
        self._runtime.deliver(block, port, message)

    def plan(self) -> dict:
        """How the runtime spread the blocks: DSP workers, cores, estimated work per sample."""
        return dict(self._runtime.plan) if self._runtime else {}

    def stats(self) -> list[dict]:
        """Counters per block: items in/out, work calls, seconds in work, buffer fill."""
        return self._runtime.stats() if self._runtime else []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._wait_stopping_on_ctrl_c()
        else:
            self.stop()
            self._runtime.wait(None, reraise=False)
