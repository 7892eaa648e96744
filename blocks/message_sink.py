import json
import logging
import sys

from sdrflow.block import Block

from ._out import print_out, silence_stdout

log = logging.getLogger(__name__)


def _plain(value):
    """numpy numbers and arrays as JSON numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class MessageSink(Block):
    """Keeps every message it receives (decoded packets, events); can also log them or write
    them as JSON lines, one per message, flushed as they come.

    Signature: message ``in`` ->

    Parameters
    ----------
    log_messages : bool
        Also write each message to the ``sdrflow`` log at INFO level.
    jsonl : str, optional
        Write each message as a JSON line to this file ("-" = standard output).
    keep : bool
        Keep the messages in ``messages`` (turn off for endless runs).

    Example: ``fg.connect((decoder, "packets"), (MessageSink(jsonl="-"), "in"))``
    """

    message_inputs = ("in",)

    def __init__(self, log_messages: bool = False, jsonl: str | None = None, keep: bool = True):
        self.messages = []
        self.log_messages, self.jsonl, self.keep = bool(log_messages), jsonl, bool(keep)
        self._file = None

    def start(self, rate):
        if self.jsonl == "-":
            sys.stdout.flush()
            self._file = sys.stdout
        elif self.jsonl is not None:
            self._file = open(self.jsonl, "w")

    def handle_message(self, port, message):
        if self.keep:
            self.messages.append(message)
        if self.log_messages:
            log.info("%s: %r", self.name, message)
        if self._file is sys.stdout:  # a reader that stops reading must not hold a stop
            try:
                print_out(self, json.dumps(message, default=_plain) + "\n")
            except BrokenPipeError:  # the reader left (| head): keep the messages, print no more
                self._file = None
                silence_stdout()
        elif self._file is not None:
            self._file.write(json.dumps(message, default=_plain) + "\n")
            self._file.flush()

    def stop(self):
        if self._file is not None and self._file is not sys.stdout:
            self._file.close()
        self._file = None
