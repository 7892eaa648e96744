"""One flowgraph across processes and hosts: ZeroMQ streams in place of edges.

One mechanism, three ways to use it. An edge that leaves a process becomes a ZMQPushSink
feeding a ZMQPullSource, both with ``pass_tags``: the item type, the rate, the tags and the end
of the stream travel with the items, and every lost item is counted.

- ``fg.connect(a, b, via="ipc")`` or ``via="tcp://HOST:PORT"``: one edge, in one process.
- ``sdrflow run SCRIPT --processes N``: ``plan`` cuts the graph into N runs of its topological
  order, each run by its own operating-system process (``cli/processes.py``), joined by ipc://.
- ``fg.part(NAME, blocks…)`` and ``sdrflow run SCRIPT --part NAME``: parts on different hosts,
  joined by CURVE-authenticated tcp:// streams.

Each process keeps its own part of the whole graph (``cut``): ``--processes`` builds the graph
once and forks, each host of ``--part`` builds it from the same script. Blocks open nothing
before ``start``, so the parts a process leaves out cost nothing.
"""
from __future__ import annotations

import itertools
import os
import socket
import tempfile
from dataclasses import dataclass, field

from .block import Block, HierBlock
from .errors import GraphError

#: Work per byte (in the units of ``Block.cost``: multiply-adds, roughly) that a stream between
#: processes costs each side: framing, a copy into ZeroMQ and one out of it.
BYTE_HANDOVER = 4.0

_links = itertools.count()


def link_pair(via: str, learn_timeout: float = 60.0):
    """The (ZMQPushSink, ZMQPullSource) pair that carries one edge: ``via`` is "ipc" (a fresh
    ipc:// path), or an address the sink binds and the source connects to."""
    from sdrflow.blocks import ZMQPullSource, ZMQPushSink

    if via == "ipc":
        address = f"ipc://{tempfile.gettempdir()}/sdrflow-{os.getpid()}-{next(_links)}"
        bind = connect = address
    elif isinstance(via, str) and via.startswith(("tcp://", "ipc://")):
        bind = via
        connect = via.replace("://*:", "://127.0.0.1:").replace("://0.0.0.0:", "://127.0.0.1:")
    else:
        raise GraphError(f"via must be \"ipc\", \"tcp://HOST:PORT\" or \"ipc://PATH\", got {via!r}")
    return (ZMQPushSink(bind, pass_tags=True, bind=True),
            ZMQPullSource(connect, pass_tags=True, learn_timeout=learn_timeout))


@dataclass(eq=False)
class Part:
    """Blocks that run together on one host (``Flowgraph.part``)."""

    name: str
    host: str = "127.0.0.1"
    port: int = 5600
    bind: str | None = None
    blocks: set = field(default_factory=set)


def place(fg, name, blocks, host, port, bind) -> Part:
    """``fg.part``'s work: check the name and the blocks, add them to ``fg`` and to the part."""
    if not isinstance(name, str) or not name.replace("-", "").replace("_", "").isalnum():
        raise GraphError(f"a part's name is letters, digits, - and _ (it names its key "
                         f"files), got {name!r}")
    if not blocks:
        raise GraphError(f"part({name!r}) needs the blocks it holds")
    part = fg.parts.setdefault(name, Part(name, host, int(port), bind))
    for b in blocks:
        if not isinstance(b, Block):
            raise GraphError(f"part({name!r}) takes blocks, got {b!r}")
        fg.add(b)
        part.blocks |= _leaves(b)
    return part


def _leaves(block) -> set:
    """The plain blocks a block stands for: itself, or all a hierarchical block holds."""
    if not isinstance(block, HierBlock):
        return {block}
    inner = [blk for pairs in block._in_map.values() for blk, _ in pairs]
    inner += [blk for blk, _ in block._out_map.values()]
    inner += [e[0] if isinstance(e, tuple) else e for ends in block._connections for e in ends]
    return set().union(*(_leaves(b) for b in inner))


@dataclass
class Link:
    """One stream between two parts: ``src``'s output ``port`` read by ``readers`` (block,
    input) in part ``receiver``; ``bind``/``connect`` are the two ends' addresses."""

    src: object
    port: int
    readers: list
    sender: str
    receiver: str
    bind: str = ""
    connect: str = ""


def links_between(fg, part_of: dict) -> list:
    """The streams that cross parts, one per (output, receiving part), in ``fg.streams`` order
    (so every process numbers them alike). A message connection across parts is refused."""
    for s, port, d, dport in fg.messages:
        if part_of[s] != part_of[d]:
            raise GraphError(f"messages from {s.name} to {d.name} would cross from part "
                             f"{part_of[s]} to {part_of[d]}; blocks joined by messages must "
                             f"run in the same part")
    links = {}
    for s, o, d, i in fg.streams:
        if part_of[s] != part_of[d]:
            key = (s, o, part_of[d])
            if key not in links:
                links[key] = Link(s, o, [], part_of[s], part_of[d])
            links[key].readers.append((d, i))
    return list(links.values())


def cut(fg, name, part_of: dict, links: list, learn_timeout: float = 60.0, secure=None,
        known: dict | None = None):
    """The flowgraph of part ``name``: its blocks and edges, a ZMQPushSink on each link it
    sends and a ZMQPullSource on each it receives, which learns the type and rate from the
    sender, or takes them from ``known`` (``fg.validate()``'s info, where this process could
    validate the whole graph). ``secure(block, link, sending)`` may set CURVE up on each end."""
    from sdrflow.blocks import ZMQPullSource, ZMQPushSink
    from .flowgraph import Flowgraph

    sub = Flowgraph(chunk=fg.chunk, threads=fg.threads, buffer_chunks=fg.buffer_chunks)
    for b in fg.blocks:
        if part_of[b] == name:
            sub.add(b)
    sub.streams = [e for e in fg.streams if part_of[e[0]] == name and part_of[e[2]] == name]
    sub.messages = [m for m in fg.messages if part_of[m[0]] == name]
    for link in links:
        if link.sender == name:
            sink = ZMQPushSink(link.bind, pass_tags=True, bind=True)
            sink.name = f"{link.src.name}.{link.src.outputs[link.port].name}>{link.receiver}"
            if secure:
                secure(sink, link, True)
            sub.add(sink)
            sub.streams.append((link.src, link.port, sink, 0))
        if link.receiver == name:
            source = ZMQPullSource(link.connect, pass_tags=True, learn_timeout=learn_timeout)
            if known is not None:
                source._adopt(known[link.src][1][link.port], known[link.src][3])
            source.name = f"{link.sender}>{link.src.name}.{link.src.outputs[link.port].name}"
            if secure:
                secure(source, link, False)
            sub.add(source)
            sub.streams += [(source, 0, d, i) for d, i in link.readers]
    if not sub.blocks:
        raise GraphError(f"part {name} holds no blocks")
    return sub


def plan(fg, n: int) -> list:
    """Cut ``fg`` into ``n`` runs of its topological order (lists of blocks), one per process,
    so that the busiest process has the least to do: a process's load is the work of its
    blocks (``Block.cost`` per input item at the block's rate, relative to the fastest stream)
    plus ``BYTE_HANDOVER`` per byte on each stream that enters or leaves it. Runs follow the
    topological order, so streams between processes only go forward and no two processes wait
    on each other; blocks joined by messages stay in one run."""
    order, info = fg.validate()
    n = int(n)
    if not 1 <= n <= len(order):
        raise GraphError(f"--processes must be between 1 and the number of blocks ({len(order)}), got {n}")
    rates = [r for b in order for r in (info[b][2], info[b][3]) if r]
    top = max(rates) if rates else 1.0
    pos = {b: i for i, b in enumerate(order)}
    weights = [max(b.cost_at(info[b][2]), 1e-3) * (info[b][2] or info[b][3] or top) / top
               for b in order]
    streams = []  # (position, readers' positions, bytes per source sample) of each output
    for b in order:
        for o, stype in enumerate(info[b][1]):
            readers = [pos[d] for s, so, d, _ in fg.streams if s is b and so == o]
            size = stype.itemsize * (info[b][3] or top) / top
            streams.append((pos[b], readers, size))
    tied = [(min(pos[s], pos[d]), max(pos[s], pos[d])) for s, _, d, _ in fg.messages]
    allowed = [all(not (lo < i <= hi) for lo, hi in tied) for i in range(len(order) + 1)]

    def load(j, i):  # blocks order[j:i] in one process
        moved = 0.0
        for s, readers, size in streams:
            inside = j <= s < i
            if inside and any(not j <= r < i for r in readers):
                moved += size
            elif not inside and any(j <= r < i for r in readers):
                moved += size
        return sum(weights[j:i]) + BYTE_HANDOVER * moved

    m = len(order)
    best = {(0, 0): (0.0, 0.0, [])}  # (runs, blocks) -> (max load, total load, cut positions)
    for k in range(1, n + 1):
        for i in range(k, m + 1):
            if not allowed[i]:
                continue
            options = []
            for j in range(k - 1, i):
                if (k - 1, j) in best:
                    top_load, total, cuts = best[(k - 1, j)]
                    here = load(j, i)
                    options.append((max(top_load, here), total + here, cuts + [i]))
            if options:
                best[(k, i)] = min(options, key=lambda t: (t[0], t[1]))
    if (n, m) not in best:
        raise GraphError(f"cannot cut this graph into {n} processes: blocks joined by messages "
                         f"must stay together; use fewer processes")
    cuts = [0] + best[(n, m)][2]
    return [order[a:b] for a, b in zip(cuts, cuts[1:])]


def ipc_links(links: list, directory: str) -> None:
    """Addresses for links between processes of one host."""
    for k, link in enumerate(links):
        link.bind = link.connect = f"ipc://{directory}/link-{k}"


def tcp_links(links: list, parts: dict) -> None:
    """Addresses for links between hosts: a sending part listens from its port up, one port per
    link it sends, on its bind address (by default the address others reach it by)."""
    sent = {}
    for link in links:
        part = parts[link.sender]
        port = part.port + sent.get(part.name, 0)
        sent[part.name] = sent.get(part.name, 0) + 1
        here = part.bind or part.host
        if here not in ("*", "0.0.0.0"):
            here = socket.gethostbyname(here)
        link.bind, link.connect = f"tcp://{here}:{port}", f"tcp://{part.host}:{port}"


def part_names(fg) -> dict:
    """{block: part name} from ``fg.part``; every block must be placed."""
    part_of = {}
    for part in fg.parts.values():
        for b in part.blocks:
            if b in part_of:
                raise GraphError(f"{b.name} is placed in two parts, {part_of[b]} and {part.name}")
            part_of[b] = part.name
    loose = [b.name for b in fg.blocks if b not in part_of]
    if loose:
        raise GraphError(f"{', '.join(loose)} {'is' if len(loose) == 1 else 'are'} in no part: "
                         f"place every block with fg.part(NAME, ...)")
    return part_of


def check_acyclic(links: list) -> None:
    """Parts must not wait on each other: a part that both feeds and is fed by another would
    stall at start (each learns its input's type from the other's first frame)."""
    after = {}
    for link in links:
        after.setdefault(link.sender, set()).add(link.receiver)
    done = set()

    def visit(p, path):
        if p in path:
            raise GraphError(f"parts {' -> '.join(path + [p])} form a loop; streams between parts "
                             f"must go one way")
        if p in done:
            return
        for q in after.get(p, ()):
            visit(q, path + [p])
        done.add(p)

    for p in list(after):
        visit(p, [])
