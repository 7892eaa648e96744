import numpy as np

from sdrflow.block import ANY, Block, Port
from sdrflow.tags import Tag


class VectorSink(Block):
    """Keeps everything it receives, for tests and notebooks.

    ``data`` is the concatenated stream; ``tags`` the tags seen, at absolute offsets of its input.

    Signature: any stream ->

    Example: ``sink = VectorSink(); fg.connect(src, sink); fg.run(); sink.data``
    """

    inputs = [Port("in", ANY)]

    def __init__(self):
        self._chunks, self.tags, self._count = [], [], 0

    def start(self, rate):
        self._chunks, self.tags, self._count = [], [], 0
        self.rate_seen = rate

    def work(self, x):
        for index, key, value in self.input_tags():
            self.tags.append(Tag(self._count + index, key, value))
        self._chunks.append(x.copy())  # the input is a view of an engine buffer
        self._count += len(x)

    @property
    def data(self) -> np.ndarray:
        if not self._chunks:
            return np.empty(0)
        return np.concatenate(self._chunks)
