
from sdrflow.block import NUMERIC, SAME, Block, Interpolate, Port


class Interleave(Block):
    """Merges ``n`` streams item by item: ``y[k·n + i] = x_i[k]``.

    Signature: n × T -> T (T: complex64, float32, int16, uint8, int8)

    Parameters
    ----------
    n : int
        Number of inputs (``in0`` … ``in{n-1}``).

    Example: ``Interleave(2)``
    """

    outputs = [Port("out", SAME)]

    def __init__(self, n: int = 2):
        self.rate_rule = Interpolate(n)
        self.n = int(n)
        self.inputs = [Port(f"in{i}", NUMERIC) for i in range(self.n)]

    def output_types(self, input_types):
        if len(set(input_types)) != 1:
            raise ValueError(f"{self.name}: all inputs must have one type, got "
                             f"{[str(t) for t in input_types]}")
        return [input_types[0]]

    def work(self, *xs):
        out = self.buffer(len(xs[0]) * self.n, xs[0].dtype)
        for i, x in enumerate(xs):
            out[i::self.n] = x
        return out
