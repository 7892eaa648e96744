import logging

import zmq

from sdrflow.block import Block
from sdrflow.wire import WireError, pmt_decode

from ._zmq import Secured
from .zmq_push_sink import check_address

log = logging.getLogger(__name__)
_PATTERNS = {"sub": zmq.SUB, "pull": zmq.PULL}


class ZMQMessageSource(Secured, Block):
    """Receives messages sent as serialized PMTs over ZeroMQ (GNU Radio's ``pub_msg_sink`` /
    ``push_msg_sink``, or ZMQMessageSink) and posts each on ``out`` as a Python value (PMT dict
    → dict, symbol → str, PDU → ``Pair((meta, array))``). A frame that does not parse is skipped
    and counted in ``messages_rejected``. It runs until the graph stops, or ends after
    ``idle_timeout`` seconds without a message.

    Signature: -> message ``out``

    Parameters
    ----------
    address : str
        Sender to connect to (``tcp://host:5557``), or an address to bind with ``bind=True``.
    pattern : str
        ``sub`` (default) or ``pull``.
    bind : bool
        Bind instead of connect.
    idle_timeout : float, optional
        End after this many seconds without a message.

    ``.secure(...)`` encrypts and authenticates the link with CURVE, as for the stream blocks.

    Example: ``fg.connect((ZMQMessageSource("tcp://127.0.0.1:5557"), "out"), (MessageSink(), "in"))``
    """

    message_outputs = ("out",)
    own_thread = True  # waits on the socket

    def __init__(self, address: str, pattern: str = "sub", bind: bool = False,
                 idle_timeout: float | None = None):
        self.address = check_address(address, "ZMQMessageSource")
        if pattern not in _PATTERNS:
            raise ValueError(f"ZMQMessageSource: pattern must be 'sub' or 'pull', got {pattern!r}")
        if idle_timeout is not None and not idle_timeout > 0:
            raise ValueError(f"ZMQMessageSource: idle_timeout must be > 0 s, got {idle_timeout!r}")
        self.pattern, self.bind, self.idle_timeout = pattern, bool(bind), idle_timeout
        self.messages_received = self.messages_rejected = 0
        self._socket = None

    def start(self, rate):
        options = {zmq.LINGER: 0}
        if self.pattern == "sub":
            options[zmq.SUBSCRIBE] = b""
        self._connect(_PATTERNS[self.pattern], options)
        self.messages_received = self.messages_rejected = 0
        self._idle = 0.0

    def poll(self) -> bool:
        """Wait up to 0.1 s for messages and post them; False once the idle time ran out."""
        if not self._socket.poll(100, zmq.POLLIN):
            self._idle += 0.1
            return not (self.idle_timeout and self._idle >= self.idle_timeout)
        self._idle = 0.0
        while True:
            try:
                frame = self._socket.recv(zmq.NOBLOCK)
            except zmq.Again:
                return True
            try:
                value, end = pmt_decode(frame)
                if end != len(frame):
                    raise WireError(f"{len(frame) - end} bytes after the PMT")
            except WireError as e:
                self.messages_rejected += 1
                log.warning("%s skipped a frame: %s", self.name, e)
                continue
            self.messages_received += 1
            self.post("out", value)

    def counters(self) -> dict:
        counts = {"messages_received": self.messages_received, "messages_rejected": self.messages_rejected}
        return self._with_curve(counts)

    def stop(self):
        self._close()
