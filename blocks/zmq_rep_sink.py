import struct
import time

import zmq

from .zmq_push_sink import ZMQPushSink


class ZMQRepSink(ZMQPushSink):
    """Serves the stream on a ZeroMQ REP socket, item batches on request, wire-compatible with
    GNU Radio's ``zeromq.rep_sink`` / ``req_source``.

    Each request is a 4-byte count of items wanted (host order; shorter means "all you have");
    the reply is one frame of at most that many items, raw or with the tag header. The stream
    waits for requests: the receiver sets the pace. At the end, the next request gets the end
    marker (within ``linger`` seconds), and items no request came for are counted in
    ``items_unsent``.

    Signature: any stream ->

    Parameters
    ----------
    address : str
        ``tcp://127.0.0.1:5558`` or ``ipc:///tmp/x`` to bind (default), or to connect to.
    pass_tags : bool
        Send the tag header.
    bind : bool
        Bind (default, as GNU Radio) or connect.
    linger : float
        Seconds to wait for the request that takes the end marker.

    Example: ``ZMQRepSink("tcp://127.0.0.1:5558", pass_tags=True)``
    """

    socket_type = zmq.REP

    def __init__(self, address: str, pass_tags: bool = False, bind: bool = True, linger: float = 2.0):
        super().__init__(address, pass_tags, bind, None, linger)
        self.requests = 0

    def work(self, x):
        start = 0
        while start < len(x):
            wanted = self._request(len(x) - start)
            if wanted is None:  # stopping, and no request within the wait
                self.items_unsent += len(x) - start
                return
            part, frame = next(self._frames(x[start:], most=wanted))
            self._socket.send(frame)
            self.frames_sent += 1
            self.items_sent += len(part)
            start += len(part)

    def _request(self, available: int) -> int | None:
        """Wait for the next request; the number of items it asks for."""
        while not self._socket.poll(100, zmq.POLLIN):
            if self.stopping or self._deadline is not None:
                if self._deadline is None:
                    self._deadline = time.monotonic() + self.linger
                if time.monotonic() >= self._deadline:
                    return None
        request = self._socket.recv()
        self.requests += 1
        return max(1, struct.unpack("=I", request[:4])[0]) if len(request) >= 4 else available

    def _finish(self) -> None:
        if self._deadline is None:
            self._deadline = time.monotonic() + self.linger
        if self._request(0) is not None:  # the next request gets the end marker
            self._socket.send(self._end_marker())
        self._socket.setsockopt(zmq.LINGER, int(max(0.0, self._deadline - time.monotonic()) * 1000))

    def counters(self) -> dict:
        return {**super().counters(), "requests": self.requests}
