import logging
import time

import numpy as np
import zmq

from sdrflow.block import Block, Port, StreamType
from sdrflow.wire import WireError, decode_frame

from ._zmq import Secured
from .zmq_push_sink import check_address

log = logging.getLogger(__name__)


class ZMQPullSource(Secured, Block):
    """Receives a stream from a ZeroMQ PULL socket, wire-compatible with GNU Radio's
    ``zeromq.push_sink``.

    Nothing on the wire says the item type or the rate: give both, as on the sending side.
    With ``pass_tags`` the tag header is parsed and its tags are placed on the matching items;
    a forward jump in the header offsets (frames lost on the way) is counted in ``items_lost`` and
    tagged ``zmq_gap`` = the number lost. A frame that does not parse (wrong size, bad header)
    is skipped and counted in ``frames_rejected``. ZeroMQ has no end of stream: the source runs
    until the graph stops, or ends after ``idle_timeout`` seconds without a frame.

    Signature: -> the given type (complex64 by default)

    Parameters
    ----------
    address : str
        ``tcp://host:5555`` to connect (default, as GNU Radio's sources), or ``tcp://*:5555``
        with ``bind=True``.
    rate : float
        Sample rate of the stream in Hz.
    dtype : numpy dtype
        Item type: complex64, float32, int16, uint8 or int8.
    vlen : int
        Items per vector.
    pass_tags : bool
        Expect the tag header.
    bind : bool
        Bind instead of connect.
    idle_timeout : float, optional
        End the stream after this many seconds without a frame.
    hwm : int, optional
        Receive high-water mark in frames.

    Example: ``ZMQPullSource("tcp://127.0.0.1:5555", rate=2.4e6, pass_tags=True)``
    """

    own_thread = True  # receiving waits on the socket
    socket_type = zmq.PULL

    def __init__(self, address: str, rate: float, dtype=np.complex64, vlen: int = 1,
                 pass_tags: bool = False, bind: bool = False, idle_timeout: float | None = None,
                 hwm: int | None = None, max_message: int = 64 << 20):
        self.address = check_address(address, type(self).__name__)
        if int(max_message) < 1024:
            raise ValueError(f"{type(self).__name__}: max_message must be >= 1024 bytes, got {max_message!r}")
        self.max_message = int(max_message)
        if not rate > 0:
            raise ValueError(f"{type(self).__name__}: rate must be > 0 Hz, got {rate!r}")
        if np.dtype(dtype) not in (np.complex64, np.float32, np.int16, np.uint8, np.int8):
            raise ValueError(f"{type(self).__name__}: dtype must be complex64, float32, int16, uint8 "
                             f"or int8, got {dtype!r}")
        if idle_timeout is not None and not idle_timeout > 0:
            raise ValueError(f"{type(self).__name__}: idle_timeout must be > 0 s, got {idle_timeout!r}")
        self.sample_rate, self.pass_tags, self.bind = float(rate), bool(pass_tags), bool(bind)
        self.idle_timeout, self.hwm = idle_timeout, hwm
        self.stype = StreamType(np.dtype(dtype), int(vlen))
        self.outputs = [Port("out", self.stype)]
        self.frames_received = self.frames_rejected = self.items_lost = 0
        self.offset_jumps = 0
        self._socket = None

    def output_rate(self, rate):
        return self.sample_rate

    def _open(self, socket):
        """Socket options before bind/connect; SUB adds its subscription here."""

    def start(self, rate):
        self._context = zmq.Context()
        self._socket = self._context.socket(self.socket_type)
        self._socket.setsockopt(zmq.LINGER, 0)
        # A peer cannot make this process take a frame beyond this size (ZeroMQ drops the peer).
        self._socket.setsockopt(zmq.MAXMSGSIZE, self.max_message)
        if self.hwm is not None:
            self._socket.setsockopt(zmq.RCVHWM, int(self.hwm))
        self._open(self._socket)
        try:
            if self.curve is not None:
                self.curve.apply(self._socket, self._context, self.bind, self.name)
            (self._socket.bind if self.bind else self._socket.connect)(self.address)
        except (zmq.ZMQError, ValueError) as e:
            self._close()
            raise ValueError(f"cannot {'bind' if self.bind else 'connect'} {self.address}: {e}") from e
        self._pending = []      # (items, [(index in items, key, value)]) not yet passed on
        self._next_offset = None
        self._last_frame = time.monotonic()
        self.frames_received = self.frames_rejected = self.items_lost = 0
        self.offset_jumps = 0

    def _receive(self):
        """One message's data frame (the key frame, if any, is dropped)."""
        parts = self._socket.recv_multipart(zmq.NOBLOCK)
        return parts[-1] if len(parts) > 1 else parts[0]

    def _take(self, frame):
        try:
            payload, offset, tags = decode_frame(frame, self.stype.itemsize, self.pass_tags)
        except WireError as e:
            self.frames_rejected += 1
            log.warning("%s skipped a frame: %s", self.name, e)
            return
        self.frames_received += 1
        items = np.frombuffer(payload, self.stype.dtype).reshape((-1,) + self.stype.shape)
        local = []
        if offset is not None:
            expected = self._next_offset
            if expected is not None and offset != expected:
                lost = offset - expected
                # A PUB at its high-water mark drops whole frames: believable gaps are a few
                # thousand frames of this size. Anything else (backwards, or a jump of 10¹²)
                # is a sender that restarted or lies: flagged, not counted as loss.
                if 0 < lost <= max(len(items), 1) * 100_000:
                    self.items_lost += lost
                    local.append((0, "zmq_gap", lost))
                else:
                    self.offset_jumps += 1
                    local.append((0, "zmq_offset_jump", lost))
                    log.warning("%s: the sender's offset jumped by %d items (from %d to %d); "
                                "not counted as loss", self.name, lost, expected, offset)
            self._next_offset = offset + len(items)
            local += [(t.offset - offset, t.key, t.value) for t in tags
                      if 0 <= t.offset - offset < len(items)]
        if len(items) or local:
            self._pending.append((items, local))

    def counters(self) -> dict:
        counts = {"frames_received": self.frames_received, "frames_rejected": self.frames_rejected,
                  "items_lost": self.items_lost, "offset_jumps": self.offset_jumps}
        return {**counts, **self.curve.counters()} if self.curve else counts

    def work(self, n):
        have = sum(len(p[0]) for p in self._pending)
        if not have:
            self._socket.poll(100, zmq.POLLIN)  # wait a little; the worker checks stop between
        while have < n:
            try:
                frame = self._receive()
            except zmq.Again:
                break
            self._last_frame = time.monotonic()
            self._take(frame)
            have = sum(len(p[0]) for p in self._pending)
        if not have:
            if self.idle_timeout and time.monotonic() - self._last_frame > self.idle_timeout:
                return None
            return self.buffer(0, self.stype.dtype, self.stype.shape)
        out = self.buffer(min(n, have), self.stype.dtype, self.stype.shape)
        filled = 0
        while filled < len(out):
            items, local = self._pending[0]
            k = min(len(items), len(out) - filled)
            out[filled:filled + k] = items[:k]
            for index, key, value in local:
                if index < k:
                    self.add_tag(filled + index, key, value)
            if k == len(items):
                self._pending.pop(0)
            else:
                self._pending[0] = (items[k:], [(i - k, key, v) for i, key, v in local if i >= k])
            filled += k
        return out

    def _close(self):
        if self._socket is not None and self.curve is not None:
            self.curve.close(self._socket)
        if self._socket is not None:
            self._socket.close()
            self._context.term()
            self._socket = None

    def stop(self):
        self._close()
        if self.frames_rejected or self.items_lost:
            log.warning("%s: %d frames rejected, %d items lost", self.name, self.frames_rejected,
                        self.items_lost)
