import logging

import numpy as np
import zmq

from sdrflow.block import Block
from sdrflow.wire import Pair, WireError, pmt_encode

from ._zmq import Secured
from .zmq_push_sink import check_address

log = logging.getLogger(__name__)
_PATTERNS = {"pub": zmq.PUB, "push": zmq.PUSH}


class ZMQMessageSink(Secured, Block):
    """Sends every message it receives (decoded packets, events) over ZeroMQ, one serialized PMT
    per frame — the format of GNU Radio's ``zeromq.pub_msg_sink`` / ``push_msg_sink``.

    Python values map as ``pmt.to_pmt`` does (dict → dict, str → symbol, int, float, tuple,
    list, numpy arrays and bytes → uniform vectors); a ``(dict, array)`` pair is sent as a PDU
    (``cons(meta, vector)``). A message that cannot be serialized is refused and counted in
    ``messages_rejected``; PUB drops messages for absent subscribers (ZeroMQ's rule).

    Signature: message ``in`` ->

    Parameters
    ----------
    address : str
        ``tcp://*:5557`` to bind (default, as GNU Radio), or an address to connect to.
    pattern : str
        ``pub`` (default) or ``push``.
    bind : bool
        Bind or connect.
    timeout : float
        Seconds a PUSH socket waits for a receiver before the message is dropped and counted.

    ``.secure(...)`` encrypts and authenticates the link with CURVE, as for the stream blocks.

    Example: ``fg.connect((decoder, "packets"), (ZMQMessageSink("tcp://*:5557"), "in"))``
    """

    message_inputs = ("in",)

    def __init__(self, address: str, pattern: str = "pub", bind: bool = True, timeout: float = 1.0):
        self.address = check_address(address, "ZMQMessageSink")
        if pattern not in _PATTERNS:
            raise ValueError(f"ZMQMessageSink: pattern must be 'pub' or 'push', got {pattern!r}")
        if not timeout > 0:
            raise ValueError(f"ZMQMessageSink: timeout must be > 0 s, got {timeout!r}")
        self.pattern, self.bind, self.timeout = pattern, bool(bind), float(timeout)
        self.messages_sent = self.messages_rejected = 0
        self._socket = None

    def start(self, rate):
        self._connect(_PATTERNS[self.pattern], {zmq.LINGER: 500})
        self.messages_sent = self.messages_rejected = 0

    def handle_message(self, port, message):
        try:
            frame = pmt_encode(_as_pdu(message))
        except WireError as e:
            self.messages_rejected += 1
            log.warning("%s refused a message: %s", self.name, e)
            return
        waited = 0.0
        while not self._socket.poll(100, zmq.POLLOUT):  # PUSH waits for a receiver
            waited += 0.1
            if waited >= self.timeout or self.stopping:
                self.messages_rejected += 1
                log.warning("%s dropped a message: nobody took it in %g s", self.name, waited)
                return
        self._socket.send(frame)
        self.messages_sent += 1

    def counters(self) -> dict:
        counts = {"messages_sent": self.messages_sent, "messages_rejected": self.messages_rejected}
        return self._with_curve(counts)

    def stop(self):
        self._close()


def _as_pdu(message):
    """A (dict or None, array) pair is a PDU: sent as a PMT pair."""
    if (isinstance(message, tuple) and not isinstance(message, Pair) and len(message) == 2
            and (message[0] is None or isinstance(message[0], dict))
            and isinstance(message[1], (np.ndarray, bytes, bytearray))):
        return Pair(message)
    return message
