from sdrflow.block import NUMERIC, Block, Decimate, Port, StreamType


class StreamToVector(Block):
    """Groups ``vlen`` consecutive items into one vector item (e.g. FFT frames).

    Signature: T -> T[vlen]

    Parameters
    ----------
    vlen : int
        Items per vector.

    Example: ``StreamToVector(1024)``
    """

    inputs = [Port("in", NUMERIC)]

    def __init__(self, vlen: int):
        self.rate_rule = Decimate(vlen)
        self.vlen = int(vlen)
        self.outputs = [Port("out", "vector")]

    def output_types(self, input_types):
        return [StreamType(input_types[0].dtype, self.vlen)]

    def start(self, rate):
        self._carry = None

    def work(self, x):
        x = self.whole_groups(x, self.vlen)
        out = self.buffer(len(x) // self.vlen, x.dtype, (self.vlen,))
        out.reshape(-1)[:] = x
        return out
