from sdrflow.block import NUMERIC, Block, Decimate, Port


class Deinterleave(Block):
    """Splits a stream item by item into ``n`` streams: ``y_i[k] = x[k·n + i]``.

    Signature: T -> n × T

    Parameters
    ----------
    n : int
        Number of outputs (``out0`` … ``out{n-1}``).

    Example: ``Deinterleave(2)``
    """

    inputs = [Port("in", NUMERIC)]

    def __init__(self, n: int = 2):
        self.rate_rule = Decimate(n)
        self.n = int(n)
        self.outputs = [Port(f"out{i}", NUMERIC) for i in range(self.n)]

    def output_types(self, input_types):
        return [input_types[0]] * self.n

    def start(self, rate):
        self._carry = None

    def work(self, x):
        x = self.whole_groups(x, self.n)
        outs = []
        for i in range(self.n):
            y = self.buffer(len(x) // self.n, x.dtype)
            y[:] = x[i::self.n]
            outs.append(y)
        return tuple(outs)
