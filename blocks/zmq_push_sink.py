import logging
import time

import numpy as np
import zmq

from sdrflow.block import ANY, Block, Port
from sdrflow.tags import Tag
from sdrflow.wire import encode_frame

from ._zmq import Secured

log = logging.getLogger(__name__)

#: Largest frame a sdrflow sender makes (bigger work calls are split), so that a high-water mark
#: in frames bounds the queue in bytes: ``hwm_bytes`` / FRAME_BYTES frames.
FRAME_BYTES = 1 << 20
#: Tags only sdrflow peers read (GNU Radio passes them on as ordinary stream tags).
STREAM_TAG, END_TAG = "sdrflow_stream", "sdrflow_eos"


def frames_for(hwm_bytes: int) -> int:
    return max(2, int(hwm_bytes) // FRAME_BYTES)


def check_address(address: str, who: str) -> str:
    if not isinstance(address, str) or not address.startswith(("tcp://", "ipc://")):
        raise ValueError(f"{who}: address must be tcp://HOST:PORT or ipc://PATH, got {address!r} "
                         f"(inproc:// cannot reach GNU Radio, whose blocks each have a context)")
    return address


class ZMQPushSink(Secured, Block):
    """Sends the stream over a ZeroMQ PUSH socket, wire-compatible with GNU Radio's
    ``zeromq.push_sink`` / ``pull_source``.

    One frame per work call (split at 1 MB): the raw items, or with ``pass_tags`` the gr-zeromq
    tag header (absolute item offset, tags as PMTs) in front. A PUSH socket waits while no
    receiver takes frames (backpressure); the queue is bounded in bytes (``hwm_bytes``, 64 MB).

    For an sdrflow receiver the stream says what it is and where it ends. With ``pass_tags`` the
    first frame carries the tag ``sdrflow_stream`` = {dtype, vlen, rate}, so the receiver needs
    neither; at the end a frame of no items at the final offset carries ``sdrflow_eos`` = the
    number of items sent (raw frames: an empty frame), so the receiver ends with it and counts
    exactly what did not arrive. GNU Radio receivers see two more stream tags and an empty
    frame, and work as before.

    At the end everything is sent within ``linger`` seconds (the receiver may be slow): what
    could not be handed to ZeroMQ by then is counted in ``items_unsent`` and reported.

    Signature: any stream ->

    Parameters
    ----------
    address : str
        ``tcp://*:5555`` or ``ipc:///tmp/x`` to bind; ``tcp://host:5555`` to connect.
    pass_tags : bool
        Send the tag header (the receiver must expect it too).
    bind : bool
        Bind (the default, as GNU Radio's sinks) or connect.
    hwm : int, optional
        High-water mark in frames, as GNU Radio's ``hwm`` (overrides ``hwm_bytes``).
    linger : float
        Seconds the end of the stream may take to go out (a bounded wait; 2 s, GNU Radio 1 s).
    hwm_bytes : int
        Bound of the send queue in bytes (64 MB).

    Example: ``ZMQPushSink("tcp://*:5555", pass_tags=True)``
    """

    inputs = [Port("in", ANY)]
    own_thread = True  # sending may wait for the receiver
    socket_type = zmq.PUSH
    redescribe = False  # describe the stream again every second (for late subscribers)

    def __init__(self, address: str, pass_tags: bool = False, bind: bool = True,
                 hwm: int | None = None, linger: float = 2.0, hwm_bytes: int = 64 << 20):
        self.address = check_address(address, type(self).__name__)
        if hwm is not None and (int(hwm) != hwm or hwm < 0):
            raise ValueError(f"{type(self).__name__}: hwm must be a whole number >= 0, got {hwm!r}")
        if not linger >= 0:
            raise ValueError(f"{type(self).__name__}: linger must be >= 0 s, got {linger!r}")
        if int(hwm_bytes) != hwm_bytes or hwm_bytes < FRAME_BYTES:
            raise ValueError(f"{type(self).__name__}: hwm_bytes must be a whole number >= 1 MB, got {hwm_bytes!r}")
        self.pass_tags, self.bind, self.hwm, self.linger = bool(pass_tags), bool(bind), hwm, float(linger)
        self.hwm_bytes = int(hwm_bytes)
        self.frames_sent = self.items_sent = self.items_unsent = 0
        self.waiting = False  # True while a frame waits for room in the queue
        self._socket = None

    def start(self, rate):
        self._connect(self.socket_type, {
            zmq.LINGER: int(self.linger * 1000),
            zmq.SNDHWM: int(self.hwm) if self.hwm is not None else frames_for(self.hwm_bytes)})
        self._sent = 0
        self._rate = rate
        self._described = 0  # stream offset at which a PUB describes the stream again
        self._deadline = None  # when the graph stops: the end of the bounded wait
        self.frames_sent = self.items_sent = self.items_unsent = 0

    def work(self, x):
        for part, frame in self._frames(x):
            if self._send(frame):
                self.items_sent += len(part)
            else:
                self.items_unsent += len(part)

    def _frames(self, x, most: int | None = None):
        """(items, frame) for ``x`` in frames of at most 1 MB (and ``most`` items), with the
        input tags that fall on them; advances the stream offset as each is taken."""
        tags = [(i, key, value) for i, key, value in self.input_tags()] if self.pass_tags else []
        step = max(1, FRAME_BYTES // max(1, x.itemsize * (x.shape[1] if x.ndim > 1 else 1)))
        if most is not None:
            step = max(1, min(step, most))
        for start in range(0, len(x), step):
            part = x[start:start + step]
            if self.pass_tags:
                mine = [Tag(self._sent + i - start, key, value) for i, key, value in tags
                        if start <= i < start + len(part)]
                if self._sent == 0 or (self.redescribe and self._sent >= self._described):
                    # the stream's description (repeated every second of stream where
                    # receivers may join later)
                    self._described = self._sent + max(1, int(self._rate))
                    st = self.input_types[0]
                    mine.insert(0, Tag(self._sent, STREAM_TAG, {
                        "dtype": st.dtype.name, "vlen": int(st.vlen), "rate": float(self._rate)}))
                frame = encode_frame(part, self._sent, mine)
            else:
                frame = encode_frame(part)
            yield part, frame
            self._sent += len(part)

    def counters(self) -> dict:
        counts = {"frames_sent": self.frames_sent, "items_sent": self.items_sent,
                  "items_unsent": self.items_unsent}
        return self._with_curve(counts)

    def _send(self, frame: bytes) -> bool:
        """Hand one frame to ZeroMQ, waiting for room; once the graph stops, only until the end
        of the bounded wait. False if it could not be sent."""
        while True:
            try:
                self._send_parts(frame)
                self.frames_sent += 1
                self.waiting = False
                return True
            except zmq.Again:
                self.waiting = True  # the queue is full: the receiver is slow
                if self.stopping or self._deadline is not None:
                    if self._deadline is None:
                        self._deadline = time.monotonic() + self.linger
                    if time.monotonic() >= self._deadline:
                        self.waiting = False
                        return False
                self._socket.poll(100, zmq.POLLOUT)

    def _finish(self) -> None:
        """The end of the stream: the end marker, then at most ``linger`` s for the queue."""
        if self._deadline is None:
            self._deadline = time.monotonic() + self.linger
        self._send_end(self._end_marker())
        left = max(0.0, self._deadline - time.monotonic())
        self._socket.setsockopt(zmq.LINGER, int(left * 1000))
        if self.items_unsent:
            log.warning("%s: %d items could not be sent within %.1f s (the receiver was too slow "
                        "or gone)", self.name, self.items_unsent, self.linger)

    def _end_marker(self) -> bytes:
        """A frame of no items at the final offset tagged with the total; raw: an empty frame."""
        if not self.pass_tags:
            return b""
        return encode_frame(np.zeros(0, np.uint8), self._sent, [Tag(self._sent, END_TAG, self._sent)])

    def _send_end(self, marker: bytes) -> None:
        self._send(marker)

    def _send_parts(self, frame: bytes) -> None:
        self._socket.send(frame, zmq.NOBLOCK, copy=len(frame) < 65536)  # big: no copy

    def stop(self):
        if self._socket is not None:
            self._finish()
        self._close()
