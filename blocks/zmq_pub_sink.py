import time

import zmq

from .zmq_push_sink import ZMQPushSink


class ZMQPubSink(ZMQPushSink):
    """Publishes the stream on a ZeroMQ PUB socket, wire-compatible with GNU Radio's
    ``zeromq.pub_sink`` / ``sub_source``, optionally under a ``key`` (a first frame that
    subscribers filter on by prefix).

    PUB never waits: frames for a subscriber that is slow, or not yet connected, are dropped
    (ZeroMQ's rule). With ``pass_tags`` an sdrflow receiver counts every lost item from the
    header offsets — in the middle, before it joined, and at the end (the end marker carries
    the total), as ``ZMQPushSink`` describes.

    Signature: any stream ->

    Parameters
    ----------
    address : str
        ``tcp://*:5556`` to bind (default), or an address to connect to with ``bind=False``.
    key : str
        Topic sent as the first frame of each message ("" = none).
    pass_tags : bool
        Send the tag header.
    bind : bool
        Bind (default) or connect.
    hwm : int, optional
        High-water mark in frames (overrides ``hwm_bytes``).
    hwm_bytes : int
        Bound of the send queue in bytes (64 MB).

    Example: ``ZMQPubSink("tcp://*:5556", key="rx")``
    """

    socket_type = zmq.PUB
    redescribe = True  # subscribers join at any time

    def __init__(self, address: str, key: str = "", pass_tags: bool = False, bind: bool = True,
                 hwm: int | None = None, hwm_bytes: int = 64 << 20):
        super().__init__(address, pass_tags, bind, hwm, linger=1.0, hwm_bytes=hwm_bytes)
        self.key = key.encode() if isinstance(key, str) else bytes(key)

    def _send_parts(self, frame: bytes) -> None:
        if self.key:
            self._socket.send_multipart([self.key, frame], zmq.NOBLOCK, copy=len(frame) < 65536)
        else:
            self._socket.send(frame, zmq.NOBLOCK, copy=len(frame) < 65536)

    def _send_end(self, marker: bytes) -> None:
        # A PUB drops silently when a subscriber's queue is full, the marker too: send it again
        # every 0.1 s of the wait (a receiver reads the first that arrives).
        self._send(marker)
        while time.monotonic() + 0.1 < self._deadline:
            time.sleep(0.1)
            self._send(marker)
