from sdrflow.block import ANY, Block, Port


class CallbackSink(Block):
    """Hands every chunk of its input to a Python function, in the graph's thread.

    The function gets a copy it may keep. Keep it short: the graph waits for it.

    Signature: any ->

    Parameters
    ----------
    callback : callable
        Called as ``callback(items)`` with a numpy array.

    Example: ``CallbackSink(lambda x: print(len(x)))``
    """

    inputs = [Port("in", ANY)]

    def __init__(self, callback):
        if not callable(callback):
            raise ValueError(f"CallbackSink: callback must be callable, got {callback!r}")
        self.callback = callback

    def work(self, x):
        self.callback(x.copy())
