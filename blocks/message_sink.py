import logging

from sdrflow.block import Block

log = logging.getLogger(__name__)


class MessageSink(Block):
    """Keeps (and optionally logs) every message it receives: decoded packets, events.

    Signature: message ``in`` ->

    Parameters
    ----------
    log_messages : bool
        Also write each message to the ``sdrflow`` log at INFO level.

    Example: ``fg.connect((decoder, "packets"), (MessageSink(), "in"))``
    """

    message_inputs = ("in",)

    def __init__(self, log_messages: bool = False):
        self.messages = []
        self.log_messages = bool(log_messages)

    def handle_message(self, port, message):
        self.messages.append(message)
        if self.log_messages:
            log.info("%s: %r", self.name, message)
