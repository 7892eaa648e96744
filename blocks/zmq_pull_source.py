import logging
import time

import numpy as np
import zmq

from sdrflow.block import Block, Port, StreamType
from sdrflow.wire import WireError, decode_frame

from ._zmq import Secured
from .zmq_push_sink import END_TAG, STREAM_TAG, check_address, frames_for

log = logging.getLogger(__name__)

_TYPES = (np.complex64, np.float32, np.int16, np.uint8, np.int8)


def _stream_tag(frame: bytes):
    """(dtype, vlen, rate) from an sdrflow sender's first frame, or None."""
    try:
        _, offset, tags = decode_frame(frame, 1, True)
    except WireError:
        return None
    for t in tags:
        if t.key == STREAM_TAG and isinstance(t.value, dict):
            try:
                dtype = np.dtype(t.value["dtype"])
                if dtype in _TYPES:
                    return dtype, int(t.value["vlen"]), float(t.value["rate"])
            except (KeyError, TypeError, ValueError):
                return None
    return None


class ZMQPullSource(Secured, Block):
    """Receives a stream from a ZeroMQ PULL socket, wire-compatible with GNU Radio's
    ``zeromq.push_sink``.

    From a GNU Radio sender nothing on the wire says the item type or the rate: give both, as
    on the sending side (complex64 unless told). An sdrflow sender with ``pass_tags`` says both
    on its first frame (``sdrflow_stream``): leave ``rate`` out and the source learns the rate
    and type before the graph starts (waiting up to ``learn_timeout`` for the first frame), or
    give them and a sender that disagrees stops the run with both named.

    With ``pass_tags`` the tag header is parsed and its tags are placed on the matching items.
    Every item the header offsets show missing is counted in ``items_lost`` and tagged
    ``zmq_gap`` = the number lost: in the middle (frames a PUB dropped), before the first frame
    received (``items_lost_at_start``: a subscriber that joined late) and at the end (the
    sender's end marker carries its total). A frame that does not parse (wrong size, bad
    header) is skipped and counted in ``frames_rejected``. The stream ends at an sdrflow
    sender's end marker; GNU Radio sends none, so from it the source runs until the graph
    stops, or ends after ``idle_timeout`` seconds without a frame.

    Signature: -> the given type (complex64 by default)

    Parameters
    ----------
    address : str
        ``tcp://host:5555`` to connect (default, as GNU Radio's sources), or ``tcp://*:5555``
        with ``bind=True``.
    rate : float, optional
        Sample rate of the stream in Hz; left out, it and the type are learnt from an sdrflow
        sender (``pass_tags``).
    dtype : numpy dtype, optional
        Item type: complex64 (default), float32, int16, uint8 or int8.
    vlen : int
        Items per vector.
    pass_tags : bool
        Expect the tag header.
    bind : bool
        Bind instead of connect.
    idle_timeout : float, optional
        End the stream after this many seconds without a frame.
    hwm : int, optional
        Receive high-water mark in frames (overrides ``hwm_bytes``).
    max_message : int
        Largest frame accepted, in bytes (64 MB); a larger one drops the peer.
    hwm_bytes : int
        Bound of the receive queue in bytes (64 MB, counted in sdrflow's 1 MB frames).
    learn_timeout : float
        Seconds to wait for the first frame when the type or rate is to be learnt.

    Example: ``ZMQPullSource("tcp://127.0.0.1:5555", rate=2.4e6, pass_tags=True)``
    """

    own_thread = True  # receiving waits on the socket
    socket_type = zmq.PULL

    def __init__(self, address: str, rate: float | None = None, dtype=None, vlen: int | None = None,
                 pass_tags: bool = False, bind: bool = False, idle_timeout: float | None = None,
                 hwm: int | None = None, max_message: int = 64 << 20, hwm_bytes: int = 64 << 20,
                 learn_timeout: float = 10.0):
        self.address = check_address(address, type(self).__name__)
        if int(max_message) < 1024:
            raise ValueError(f"{type(self).__name__}: max_message must be >= 1024 bytes, got {max_message!r}")
        self.max_message = int(max_message)
        self._learn = rate is None  # then the type too, unless given
        if self._learn and not pass_tags:
            raise ValueError(f"{type(self).__name__}: give rate= and dtype= (a stream without "
                             f"pass_tags cannot say them), or pass_tags=True with an sdrflow sender")
        if rate is not None and not rate > 0:
            raise ValueError(f"{type(self).__name__}: rate must be > 0 Hz, got {rate!r}")
        if dtype is not None and np.dtype(dtype) not in _TYPES:
            raise ValueError(f"{type(self).__name__}: dtype must be complex64, float32, int16, uint8 "
                             f"or int8, got {dtype!r}")
        if idle_timeout is not None and not idle_timeout > 0:
            raise ValueError(f"{type(self).__name__}: idle_timeout must be > 0 s, got {idle_timeout!r}")
        self.sample_rate = None if rate is None else float(rate)
        self.pass_tags, self.bind = bool(pass_tags), bool(bind)
        self.idle_timeout, self.hwm, self.hwm_bytes = idle_timeout, hwm, int(hwm_bytes)
        self.learn_timeout = float(learn_timeout)
        self.given = (None if dtype is None else np.dtype(dtype), vlen, self.sample_rate)
        self.stype = StreamType(np.dtype(dtype or np.complex64), int(vlen or 1))
        self.outputs = [Port("out", self.stype)]
        self.frames_received = self.frames_rejected = self.items_lost = 0
        self.offset_jumps = self.items_lost_at_start = 0
        self._socket = None
        self._first = None  # frames received before start, while learning
        self._learnt = False

    def output_types(self, input_types):
        if self._learn and not self._learnt:
            self._learn_stream()
        return [self.stype]

    def output_rate(self, rate):
        if self._learn and not self._learnt:
            self._learn_stream()
        return self.sample_rate

    def _learn_stream(self):
        """Open the socket and read the first frame, whose ``sdrflow_stream`` tag says the item
        type and rate (a PUB repeats it every second of stream); the frames read are kept and
        are the first ones passed on."""
        if self._socket is None:
            self._open_socket()
        deadline = time.monotonic() + self.learn_timeout
        frames, said = [], None
        while said is None:  # a subscriber may join between two descriptions: read on
            left = deadline - time.monotonic()
            if left <= 0 or not self._socket.poll(int(left * 1000), zmq.POLLIN):
                self._close()
                if frames:
                    raise ValueError(f"{self.name}: the sender at {self.address} does not say its "
                                     f"type and rate (a GNU Radio peer?): give rate= and dtype=")
                raise ValueError(f"{self.name}: no frame from {self.address} within "
                                 f"{self.learn_timeout:g} s to learn the stream's type and rate: start "
                                 f"the sender first, or give rate= and dtype=")
            frames.append(self._receive())
            said = _stream_tag(frames[-1])
        dtype, vlen, rate = said
        given_dtype, given_vlen, given_rate = self.given
        self.stype = StreamType(given_dtype or dtype, given_vlen or vlen)
        self.outputs = [Port("out", self.stype)]
        self.sample_rate = given_rate or rate
        self._first, self._learnt = frames, True

    def _adopt(self, stype, rate):
        """The type and rate as the flowgraph knows them (the far end of a ``via=`` edge, whose
        near end is in the same graph), so nothing is learnt from the wire."""
        self.stype, self.sample_rate, self._learnt = stype, rate, True
        self.outputs = [Port("out", stype)]

    def _options(self) -> dict:
        """More socket options, set before bind or connect: SUB's subscription."""
        return {}

    def start(self, rate):
        if self._socket is None:
            self._open_socket()
        self._pending = []      # (items, [(index in items, key, value)]) not yet passed on
        self._next_offset = None
        self._ended = False
        self._last_frame = time.monotonic()
        self.frames_received = self.frames_rejected = self.items_lost = 0
        self.offset_jumps = self.items_lost_at_start = 0
        for frame in self._first or ():
            self._take(frame)
        self._first = None

    def _open_socket(self):
        # MAXMSGSIZE: a peer cannot make this process take a larger frame (ZeroMQ drops it).
        self._connect(self.socket_type, {
            zmq.LINGER: 0, zmq.MAXMSGSIZE: self.max_message,
            zmq.RCVHWM: int(self.hwm) if self.hwm is not None else frames_for(self.hwm_bytes),
            **self._options()})

    def _receive(self):
        """One message's data frame (the key frame, if any, is dropped)."""
        parts = self._socket.recv_multipart(zmq.NOBLOCK, copy=False)
        return parts[-1].buffer  # a view of ZeroMQ's message: decoded without a copy

    def _take(self, frame):
        try:
            payload, offset, tags = decode_frame(frame, self.stype.itemsize, self.pass_tags)
        except WireError as e:
            self.frames_rejected += 1
            log.warning("%s skipped a frame: %s", self.name, e)
            return
        self.frames_received += 1
        if not self.pass_tags and not payload:
            self._ended = True  # an sdrflow sender's end of stream
            return
        items = np.frombuffer(payload, self.stype.dtype).reshape((-1,) + self.stype.shape)
        local = []
        if offset is not None:
            expected = self._next_offset
            for t in tags:
                if t.key == STREAM_TAG:
                    self._check_stream(t.value)
            if expected is None and offset > 0:  # joined late: the items before were missed
                self.items_lost_at_start = offset
                self.items_lost += offset
                local.append((0, "zmq_gap", offset))
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
            for t in tags:
                if t.key == END_TAG and isinstance(t.value, int):
                    self._ended = True
                    if t.value > self._next_offset:  # the last frames never came
                        self.items_lost += t.value - self._next_offset
                        log.warning("%s: the last %d items of the stream did not arrive",
                                    self.name, t.value - self._next_offset)
            local += [(t.offset - offset, t.key, t.value) for t in tags
                      if 0 <= t.offset - offset < len(items) and t.key not in (STREAM_TAG, END_TAG)]
        if len(items) or local:
            self._pending.append((items, local))

    def _check_stream(self, said):
        """The sender's ``sdrflow_stream`` tag against what this source delivers."""
        try:
            dtype, vlen, rate = np.dtype(said["dtype"]), int(said["vlen"]), float(said["rate"])
        except (KeyError, TypeError, ValueError):
            return  # not one of ours
        if (dtype, vlen) != (self.stype.dtype, self.stype.vlen) or abs(rate - self.sample_rate) > 1e-6 * rate:
            raise ValueError(f"{self.name}: the sender at {self.address} sends "
                             f"{StreamType(dtype, vlen)} at {rate:g} Hz, this source expects "
                             f"{self.stype} at {self.sample_rate:g} Hz: give the same type and "
                             f"rate, or leave them out to learn them")

    def counters(self) -> dict:
        counts = {"frames_received": self.frames_received, "frames_rejected": self.frames_rejected,
                  "items_lost": self.items_lost, "items_lost_at_start": self.items_lost_at_start,
                  "offset_jumps": self.offset_jumps}
        return self._with_curve(counts)

    def work(self, n):
        have = sum(len(p[0]) for p in self._pending)
        if not have:
            self._socket.poll(100, zmq.POLLIN)  # wait a little; the worker checks stop between
        while have < n and not self._ended:
            try:
                frame = self._receive()
            except zmq.Again:
                break
            self._last_frame = time.monotonic()
            self._take(frame)
            have = sum(len(p[0]) for p in self._pending)
        if not have:
            if self._ended or (self.idle_timeout and time.monotonic() - self._last_frame > self.idle_timeout):
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

    def stop(self):
        self._close()
        if self.frames_rejected or self.items_lost:
            log.warning("%s: %d frames rejected, %d items lost", self.name, self.frames_rejected,
                        self.items_lost)
