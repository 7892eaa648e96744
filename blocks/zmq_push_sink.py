import logging

import zmq

from sdrflow.block import ANY, Block, Port
from sdrflow.tags import Tag
from sdrflow.wire import encode_frame

from ._zmq import Secured

log = logging.getLogger(__name__)


def check_address(address: str, who: str) -> str:
    if not isinstance(address, str) or not address.startswith(("tcp://", "ipc://")):
        raise ValueError(f"{who}: address must be tcp://HOST:PORT or ipc://PATH, got {address!r} "
                         f"(inproc:// cannot reach GNU Radio, whose blocks each have a context)")
    return address


class ZMQPushSink(Secured, Block):
    """Sends the stream over a ZeroMQ PUSH socket, wire-compatible with GNU Radio's
    ``zeromq.push_sink`` / ``pull_source``.

    One frame per work call: the raw items, or with ``pass_tags`` the gr-zeromq tag header
    (absolute item offset, tags as PMTs) in front. A PUSH socket waits while no receiver takes
    frames (backpressure); at stop, frames not yet taken are kept for up to ``linger`` seconds.

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
        High-water mark in frames (ZeroMQ's default 1000).
    linger : float
        Seconds that unsent frames are kept after stop.

    Example: ``ZMQPushSink("tcp://*:5555", pass_tags=True)``
    """

    inputs = [Port("in", ANY)]
    own_thread = True  # sending may wait for the receiver
    socket_type = zmq.PUSH

    def __init__(self, address: str, pass_tags: bool = False, bind: bool = True,
                 hwm: int | None = None, linger: float = 1.0):
        self.address = check_address(address, type(self).__name__)
        if hwm is not None and (int(hwm) != hwm or hwm < 0):
            raise ValueError(f"{type(self).__name__}: hwm must be a whole number >= 0, got {hwm!r}")
        if not linger >= 0:
            raise ValueError(f"{type(self).__name__}: linger must be >= 0 s, got {linger!r}")
        self.pass_tags, self.bind, self.hwm, self.linger = bool(pass_tags), bool(bind), hwm, float(linger)
        self.frames_sent = self.frames_dropped = 0
        self._socket = None

    def start(self, rate):
        self._context = zmq.Context()
        self._socket = self._context.socket(self.socket_type)
        self._socket.setsockopt(zmq.LINGER, int(self.linger * 1000))
        if self.hwm is not None:
            self._socket.setsockopt(zmq.SNDHWM, int(self.hwm))
        try:
            if self.curve is not None:
                self.curve.apply(self._socket, self._context, self.bind, self.name)
            (self._socket.bind if self.bind else self._socket.connect)(self.address)
        except (zmq.ZMQError, ValueError) as e:
            self._close()
            raise ValueError(f"cannot {'bind' if self.bind else 'connect'} {self.address}: {e}") from e
        self._sent = 0
        self.frames_sent = self.frames_dropped = 0

    def work(self, x):
        if self.pass_tags:
            tags = [Tag(self._sent + i, key, value) for i, key, value in self.input_tags()]
            frame = encode_frame(x, self._sent, tags)
        else:
            frame = encode_frame(x)
        self._send(frame)
        self._sent += len(x)

    def counters(self) -> dict:
        counts = {"frames_sent": self.frames_sent, "frames_dropped": self.frames_dropped}
        return {**counts, **self.curve.counters()} if self.curve else counts

    def _send(self, frame: bytes) -> None:
        while True:
            try:
                self._send_parts(frame)
                self.frames_sent += 1
                return
            except zmq.Again:
                if self.stopping:  # the graph is stopping and nobody takes frames: drop it
                    self.frames_dropped += 1
                    log.warning("%s dropped a frame at stop: no receiver", self.name)
                    return
                self._socket.poll(100, zmq.POLLOUT)

    def _send_parts(self, frame: bytes) -> None:
        self._socket.send(frame, zmq.NOBLOCK)

    def _close(self):
        if self._socket is not None and self.curve is not None:
            self.curve.close(self._socket)
        if self._socket is not None:
            self._socket.close()
            self._context.term()
            self._socket = None

    def stop(self):
        self._close()
