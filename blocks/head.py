from sdrflow.block import ANY, SAME, Block, Port


class Head(Block):
    """Passes the first ``count`` items, then ends the stream.

    Signature: any stream -> same

    Parameters
    ----------
    count : int
        Number of items to pass (a duration in seconds is ``int(seconds * rate)``).

    Example: ``Head(48000)``
    """

    inputs = [Port("in", ANY)]
    outputs = [Port("out", SAME)]
    passthrough = True  # work returns a slice of its input

    def __init__(self, count: int):
        if int(count) != count or count < 1:
            raise ValueError(f"Head: count must be a whole number >= 1, got {count!r}")
        self.count = int(count)

    def start(self, rate):
        self._left = self.count

    def work(self, x):
        take = min(len(x), self._left)
        self._left -= take
        if self._left == 0:
            self.end_of_stream()
        return x[:take]
