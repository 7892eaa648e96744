import struct

import zmq

from .zmq_pull_source import ZMQPullSource


class ZMQReqSource(ZMQPullSource):
    """Receives a stream from a ZeroMQ REQ socket, asking for items as it has room for them,
    wire-compatible with GNU Radio's ``zeromq.rep_sink`` / ``req_source``.

    Each request is the number of items wanted (4 bytes, host order); a new one goes out only
    once the reply to the last has come. Everything else is as ``ZMQPullSource``: tags, counted
    losses, the end marker of an sdrflow sender, the idle timeout for GNU Radio's.

    Signature: -> the given type (complex64 by default)

    Parameters
    ----------
    address : str
        ``tcp://host:5558`` to connect (default, as GNU Radio), or an address to bind.
    rate : float, optional
        Sample rate in Hz; left out, it and the type are learnt from an sdrflow sender.
    dtype : numpy dtype, optional
        Item type (complex64 by default).
    vlen : int, optional
        Items per vector.
    pass_tags : bool
        Expect the tag header.
    bind : bool
        Bind instead of connect.
    idle_timeout : float, optional
        End the stream after this many seconds without a reply.

    Example: ``ZMQReqSource("tcp://127.0.0.1:5558", rate=2.4e6)``
    """

    socket_type = zmq.REQ

    def __init__(self, address: str, rate: float | None = None, dtype=None, vlen: int | None = None,
                 pass_tags: bool = False, bind: bool = False, idle_timeout: float | None = None,
                 learn_timeout: float = 10.0):
        super().__init__(address, rate, dtype, vlen, pass_tags, bind, idle_timeout,
                         learn_timeout=learn_timeout)
        self._asked = False
        self._want = 65536

    def _open_socket(self):
        super()._open_socket()
        self._asked = False  # a new socket has asked for nothing yet

    def _ask(self):
        if not self._asked:
            self._socket.send(struct.pack("=I", self._want))
            self._asked = True

    def _learn_stream(self):
        if self._socket is None:
            self._open_socket()
        self._ask()  # the first reply says what the stream is
        super()._learn_stream()

    def _receive(self):
        self._ask()
        frame = self._socket.recv(zmq.NOBLOCK, copy=False).buffer  # zmq.Again until the reply is here
        self._asked = False
        return frame

    def work(self, n):
        self._want = max(1, int(n))
        if not self._pending and not self._ended:
            self._ask()
        return super().work(n)
