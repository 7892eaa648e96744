"""The errors the engine raises, in one place so every module can import them."""


class GraphError(ValueError):
    """A flowgraph that cannot run as built: the message names the blocks and ports."""


class BlockError(RuntimeError):
    """A block failed while the graph was running; ``block`` is its name, ``__cause__`` the error."""

    def __init__(self, block: str, error: BaseException):
        super().__init__(f"block {block} failed: {type(error).__name__}: {error}")
        self.block = block


class ContractError(TypeError):
    """A block's ``work`` returned something its ports or rate rule do not allow."""


class SourceFailed(RuntimeError):
    """A device or connection failed: an unplugged dongle, a lost server, a sound card that
    cannot open.

    Raised from ``work``, the stream ends and the rest of the graph drains; raised from
    ``start`` (no dongle, busy, nobody listening), the graph does not start. Commands exit
    with code 1 either way: the command was right, the outside world failed."""
