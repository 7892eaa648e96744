from sdrflow.block import ANY, Block, Port


class NullSink(Block):
    """Discards its input.

    Signature: any stream ->

    Example: ``fg.connect(src, NullSink())``
    """

    inputs = [Port("in", ANY)]

    def work(self, x):
        return None
