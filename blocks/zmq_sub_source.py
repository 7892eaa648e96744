import zmq

from .zmq_pull_source import ZMQPullSource


class ZMQSubSource(ZMQPullSource):
    """Receives a stream from a ZeroMQ SUB socket, wire-compatible with GNU Radio's
    ``zeromq.pub_sink``; with a ``key`` it takes only messages whose first frame starts with it
    (ZeroMQ matches by prefix) and drops that frame.

    A subscriber only gets what is published after it has connected (ZeroMQ's slow joiner),
    and a PUB drops frames a slow subscriber cannot take: with ``pass_tags`` such gaps are
    counted in ``items_lost`` and tagged ``zmq_gap``.

    Signature: -> the given type (complex64 by default)

    Parameters
    ----------
    address : str
        Publisher to connect to (``tcp://host:5556``), or an address to bind with ``bind=True``.
    rate : float, optional
        Sample rate in Hz (learnt from an sdrflow sender with pass_tags when left out).
    key : str
        Topic prefix to subscribe to ("" = everything).
    dtype : numpy dtype, optional
        Item type (learnt when left out).
    vlen : int, optional
        Items per vector.
    pass_tags : bool
        Expect the tag header.
    bind : bool
        Bind instead of connect.
    idle_timeout : float, optional
        End the stream after this many seconds without a frame.
    hwm : int, optional
        Receive high-water mark in frames (overrides ``hwm_bytes``).
    hwm_bytes : int
        Bound of the receive queue in bytes (64 MB).
    learn_timeout : float
        Seconds to wait for a frame when the type or rate is to be learnt.

    Example: ``ZMQSubSource("tcp://127.0.0.1:5556", rate=2.4e6, key="rx")``
    """

    socket_type = zmq.SUB

    def __init__(self, address: str, rate: float | None = None, key: str = "", dtype=None,
                 vlen: int | None = None, pass_tags: bool = False, bind: bool = False,
                 idle_timeout: float | None = None, hwm: int | None = None,
                 hwm_bytes: int = 64 << 20, learn_timeout: float = 10.0):
        self.key = key.encode() if isinstance(key, str) else bytes(key)
        super().__init__(address, rate, dtype, vlen, pass_tags, bind, idle_timeout, hwm=hwm,
                         hwm_bytes=hwm_bytes, learn_timeout=learn_timeout)

    def _options(self) -> dict:
        return {zmq.SUBSCRIBE: self.key}

    def _receive(self):
        parts = self._socket.recv_multipart(zmq.NOBLOCK, copy=False)
        if self.key and len(parts) < 2:
            raise zmq.Again()  # keyed stream: a message without its data frame is dropped
        if self.key or len(parts) == 1:
            return parts[-1].buffer  # a view of ZeroMQ's message: decoded without a copy
        return b"".join(p.bytes for p in parts)
