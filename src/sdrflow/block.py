"""Block base class, stream types, ports and rate rules.

A block declares its ports and its rate rule as class attributes, validates its parameters in
``__init__``, designs what depends on the sample rate in ``start(rate)`` and turns input arrays
into output arrays in ``work``. Everything about threads, buffers and scheduling lives in
``runtime.py``; a block only sees numpy arrays.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np


@dataclass(frozen=True)
class StreamType:
    """The type of the items on a stream port: a numpy dtype and a vector length."""

    dtype: np.dtype
    vlen: int = 1

    def __post_init__(self):
        object.__setattr__(self, "dtype", np.dtype(self.dtype))
        if int(self.vlen) < 1:
            raise ValueError(f"StreamType: vlen must be >= 1, got {self.vlen}")

    @property
    def shape(self) -> tuple:
        """Shape of one item, for allocating arrays of this type."""
        return () if self.vlen == 1 else (self.vlen,)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize * self.vlen

    def __str__(self):
        return self.dtype.name if self.vlen == 1 else f"{self.dtype.name}[{self.vlen}]"


COMPLEX64 = StreamType(np.complex64)
FLOAT32 = StreamType(np.float32)
INT16 = StreamType(np.int16)
UINT8 = StreamType(np.uint8)
INT8 = StreamType(np.int8)
#: What generic arithmetic blocks accept.
NUMERIC = (COMPLEX64, FLOAT32, INT16, UINT8, INT8)
#: Port type of an asynchronous message port.
MESSAGE = "message"
#: Output type that copies the resolved type of the first input.
SAME = "same as input"
#: Input type that takes any stream, vectors included (sinks, Head).
ANY = "any"


@dataclass(frozen=True)
class Port:
    """A named port. ``type`` is a StreamType, a tuple of accepted StreamTypes, SAME or MESSAGE."""

    name: str
    type: object

    @property
    def is_message(self) -> bool:
        return self.type == MESSAGE

    def accepts(self, stype: StreamType) -> bool:
        if self.type == ANY:
            return isinstance(stype, StreamType)
        if isinstance(self.type, tuple):
            return stype in self.type
        return self.type == stype

    def describe(self) -> str:
        if isinstance(self.type, tuple):
            return " | ".join(str(t) for t in self.type)
        return str(self.type)


@dataclass(frozen=True)
class Rate:
    """How many output items a block makes per input item.

    ``ratio`` is a Fraction (interpolation / decimation) or None for a free rate (a decoder that
    emits whenever it has something)."""

    ratio: Fraction | None
    label: str

    @property
    def free(self) -> bool:
        return self.ratio is None

    def __str__(self):
        return self.label


SYNC = Rate(Fraction(1), "1:1")
FREE = Rate(None, "free")


def Rational(p: int, q: int, verb: str = "resample") -> Rate:
    """Rate rule of a resampler: ``p`` output items per ``q`` input items."""
    for value, what in ((p, "interpolation"), (q, "decimation")):
        if isinstance(value, (bool, np.bool_)) or int(value) != value or value < 1:
            raise ValueError(f"{what} must be a positive whole number, got {value!r}")
    p, q = int(p), int(q)
    by = {"decimate": q, "interpolate": p}.get(verb, f"{p}/{q}")
    return Rate(Fraction(p, q), f"{p}:{q} ({verb} by {by})")


def Decimate(n: int) -> Rate:
    """Rate rule of a block that keeps one output item per ``n`` input items."""
    return Rational(1, n, "decimate")


def Interpolate(n: int) -> Rate:
    """Rate rule of a block that makes ``n`` output items per input item."""
    return Rational(n, 1, "interpolate")


_ids = itertools.count(1)


class Block:
    """Base class of every block.

    Subclasses set ``inputs``, ``outputs`` (lists of Port), ``rate_rule`` (a Rate) and, for
    asynchronous messages, ``message_inputs`` / ``message_outputs`` (port names). A block with
    no stream inputs is a source: ``work(n)`` returns up to ``n`` items, or None at end of stream.
    Other blocks get one array per input, all of the same length ≥ 1, and return one array per
    output (a tuple when there are several, None when there are none). Input arrays are views of
    the engine's buffers: read them, never keep or modify them.

    The contract of ``work``, checked on every call: each output is an ndarray from
    ``self.buffer()`` (or a leading slice of one; ``passthrough`` blocks return a slice of their
    first input), of the port's dtype exactly and its vector shape, with as many items as the
    rate rule allows (1:1 exactly; interpolators exactly n·p; resamplers and decimators at most
    n·p/q + 1 over the whole stream; free-rate blocks at most ``max_output(n)``; sources at
    most the n asked for). A breach is a BlockError naming the block, port and values.
    """

    inputs: list = []
    outputs: list = []
    rate_rule: Rate = SYNC
    message_inputs: tuple = ()
    message_outputs: tuple = ()
    #: A block whose ``work`` may wait on the outside world (a radio, a socket) gets its own thread.
    own_thread: bool = False
    #: Rough cost per input item (multiply-adds), used to spread blocks over worker threads
    #: and processes.
    cost: float = 1.0
    #: Carry input tags to every output (offsets scaled by the rate rule). A block that places
    #: its own tags, or consumes them (a packetiser), sets this False.
    propagate_tags: bool = True
    #: A block whose ``work`` returns a leading slice of its first input (``Head``, ``Throttle``)
    #: instead of an array from ``self.buffer()``; the engine copies that slice once.
    passthrough: bool = False

    _node = None
    _name = None
    #: Resolved input stream types, set by the flowgraph just before ``start``.
    input_types: list = []
    _eos = False

    # -- called by the engine ------------------------------------------------------------------
    def start(self, rate: float | None) -> None:
        """Set up what depends on the input sample rate (Hz); ``rate`` is None for sources."""

    def work(self, *inputs):
        raise TypeError(f"{type(self).__name__} has no work(): every block must define it")

    def stop(self) -> None:
        """Release resources and flush what is buffered; called once when the graph stops."""

    def input_ended(self) -> None:
        """Called once when the input stream has ended and all of it was given to ``work``
        (not on a stop): a block that holds something back until more input shows it complete
        (a decoder's last burst, waiting for its closing silence) posts it now."""

    def poll(self) -> bool:
        """For a block without stream ports that makes messages from the outside world (a
        network receiver): wait briefly for input, ``post`` what came, return False when it
        is finished. Called over and over in the block's thread; give it ``own_thread``."""
        return False

    def counters(self) -> dict:
        """Counters of the block's own (samples dropped, frames rejected …) for ``fg.stats()``
        and ``--stats``; read from another thread, so plain numbers only."""
        return {}

    def output_rate(self, rate: float) -> float:
        """Sample rate of the outputs for input rate ``rate``; sources return their own rate."""
        if self.rate_rule.free:
            raise ValueError(f"{self.name}: a free-rate block must define output_rate(rate), "
                             f"the sample rate of what it emits")
        return float(rate * self.rate_rule.ratio)

    def output_types(self, input_types: list) -> list:
        """Resolved output stream types for the resolved input types (SAME copies input 0)."""
        return [input_types[0] if p.type == SAME else p.type for p in self.outputs]

    def max_output(self, n: int) -> int:
        """A free-rate block's most output items for ``n`` input items: the engine gives
        ``work`` no more input than fits by it and refuses more output. One per input suits
        decoders; a block that makes more (bytes into bits) overrides it."""
        return n

    def cost_at(self, rate) -> float:
        """``cost`` as it will be at input rate ``rate``, asked before ``start`` (to cut a graph
        into processes); a block whose cost depends on a design made at start overrides it."""
        return self.cost

    # -- for use inside work -------------------------------------------------------------------
    @property
    def name(self) -> str:
        if self._name is None:
            self._name = f"{type(self).__name__}#{next(_ids)}"
        return self._name

    @name.setter
    def name(self, value: str):
        self._name = str(value)

    @property
    def stopping(self) -> bool:
        """True once the graph is stopping: a block that waits (on a socket, a radio) checks it
        between waits and gives up."""
        node = self._node
        return node is not None and node.worker is not None and node.worker.runtime.stopping

    def end_of_stream(self) -> None:
        """Declare that this block will produce nothing more after the current call."""
        self._eos = True

    def buffer(self, n: int, dtype, shape: tuple = (), reuse: np.ndarray | None = None) -> np.ndarray:
        """An array of ``n`` items to fill and return (or a leading slice of it) from this
        ``work`` call, and not keep: a pool the engine recycles, so a chain stays in cache.

        ``reuse=x`` (the input ``work`` got, ``n == len(x)``) may return ``x`` itself when
        nobody else reads it, for a block computing ``out[i]`` from ``x[i]`` and earlier, so
        a chain touches half the memory. Test ``out is x`` and then use an in-place kernel
        (Numba's overlap check turns off the vector loop of a kernel whose two arrays meet)."""
        node = self._node
        if node is not None:
            return node.buffer(n, dtype, shape, reuse)
        return np.empty((n,) + shape, dtype)

    def scratch(self, n: int, dtype, key=0, shape: tuple = ()) -> np.ndarray:
        """A private array of ``n`` items that the block may keep using across calls (read
        buffers, work space); grown as needed, never shared."""
        key = (key, np.dtype(dtype), shape)
        bufs = self.__dict__.setdefault("_scratch", {})
        if key not in bufs or len(bufs[key]) < n:
            bufs[key] = np.empty((max(n, 1024),) + shape, dtype)
        return bufs[key][:n]

    def whole_groups(self, x: np.ndarray, k: int) -> np.ndarray:
        """The items of ``x`` that complete groups of ``k`` (with what is left from the last
        call in front); the rest waits for the next call. For blocks that consume items in
        fixed groups: I/Q byte pairs, vectors, interleaved channels."""
        carry = self.__dict__.get("_carry")
        if carry is not None and len(carry):
            x = np.concatenate([carry, x])
        whole = len(x) - len(x) % k
        self._carry = x[whole:].copy() if whole < len(x) else None
        return x[:whole]

    def add_tag(self, index: int, key: str, value, port: int = 0) -> None:
        """Attach ``key=value`` to output item ``index`` of the array this ``work`` returns
        (outside a flowgraph, when ``work`` is called directly, tags go nowhere)."""
        if self._node is not None:
            self._node.add_tag(port, index, key, value)

    def input_tags(self, port: int = 0) -> list:
        """Tags on the current input arrays, as (index in the array, key, value)."""
        return self._node.input_tags(port) if self._node else []

    def post(self, port: str, message) -> None:
        """Send ``message`` out of message port ``port`` to every connected block."""
        if port not in self.message_outputs:
            raise ValueError(f"{self.name}: no message output {port!r}; it has {list(self.message_outputs)}")
        if self._node is not None:
            self._node.post(port, message)

    def handle_message(self, port: str, message) -> None:
        """Handle a message on input ``port``. The default applies ``{"param": value}`` dicts by
        calling ``set_param(value)``, which is how running blocks are retuned."""
        if not isinstance(message, dict):
            raise ValueError(f"{self.name}: message on {port!r} must be a dict like "
                             f"{{'frequency': 1e6}}, got {message!r}")
        for key, value in message.items():
            setter = getattr(self, f"set_{key}", None)
            if setter is None:
                raise ValueError(f"{self.name}: cannot set {key!r} while running")
            setter(value)

    def __repr__(self):
        return f"<{self.name}>"


class HierBlock(Block):
    """A composite of blocks used as one block.

    In ``__init__``, create the inner blocks, ``connect`` them, then ``expose_input`` and
    ``expose_output`` the inner ports that the composite offers. The flowgraph flattens it."""

    def __init__(self):
        self.inputs, self.outputs = [], []
        self.message_inputs, self.message_outputs = (), ()
        self._connections = []
        self._in_map, self._out_map = {}, {}

    def connect(self, *endpoints) -> None:
        """Connect inner blocks, with the same forms as Flowgraph.connect."""
        self._connections.append(endpoints)

    def expose_input(self, name: str, *targets) -> None:
        """Offer input ``name`` that feeds the inner (block, port) ``targets``."""
        targets = [t if isinstance(t, tuple) else (t, 0) for t in targets]
        self._in_map[name] = targets
        self._expose(name, *targets[0], "inputs")

    def expose_output(self, name: str, block, port=0) -> None:
        """Offer output ``name`` that is the inner ``block``'s output ``port``."""
        self._out_map[name] = (block, port)
        self._expose(name, block, port, "outputs")

    def _expose(self, name, block, port, kind):
        ptype = _port_of(block, port, kind == "outputs").type
        if ptype == MESSAGE:
            setattr(self, f"message_{kind}", getattr(self, f"message_{kind}") + (name,))
        else:
            setattr(self, kind, getattr(self, kind) + [Port(name, ptype)])

    def work(self, *inputs):
        raise TypeError(f"{self.name} is a hierarchical block; it runs as its inner blocks")


def _port_of(block: Block, port, outputs: bool) -> Port:
    """Look up a stream or message port by index or name."""
    ports = block.outputs if outputs else block.inputs
    msgs = block.message_outputs if outputs else block.message_inputs
    kind = "output" if outputs else "input"
    if isinstance(port, str):
        for p in ports:
            if p.name == port:
                return p
        if port in msgs:
            return Port(port, MESSAGE)
        names = [p.name for p in ports] + list(msgs)
        raise ValueError(f"{block.name} has no {kind} port {port!r}; its {kind}s are {names}")
    if isinstance(port, (int, np.integer)) and 0 <= port < len(ports):
        return ports[port]
    raise ValueError(f"{block.name} has no {kind} port {port!r}; it has {len(ports)} stream "
                     f"{kind}(s) numbered from 0")

