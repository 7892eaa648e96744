import numpy as np

from sdrflow.block import ANY, COMPLEX64, FLOAT32, INT16, SAME, Block, Port


class Add(Block):
    """Sums streams item by item: ``y[n] = Σ_i x_i[n]``.

    Signature: n × T -> T (T: complex64, float32, int16, or vectors of them such as FFT
    frames; all inputs alike)

    Parameters
    ----------
    n : int
        Number of inputs (``in0`` … ``in{n-1}``), at least 2.

    Example: ``fg.connect(a, (add, 0)); fg.connect(b, (add, 1))``
    """

    outputs = [Port("out", SAME)]

    def __init__(self, n: int = 2):
        if int(n) != n or n < 2:
            raise ValueError(f"{type(self).__name__}: n must be a whole number >= 2, got {n!r}")
        self.n = int(n)
        # Any port type, so vector streams pass; the item type is checked in output_types.
        self.inputs = [Port(f"in{i}", ANY) for i in range(self.n)]

    _ITEMS = tuple(t.dtype for t in (COMPLEX64, FLOAT32, INT16))

    def output_types(self, input_types):
        if len(set(input_types)) != 1:
            raise ValueError(f"{self.name}: all inputs must have one type (vectors of one "
                             f"length), got {[str(t) for t in input_types]}")
        if input_types[0].dtype not in self._ITEMS:
            raise ValueError(f"{self.name}: takes complex64, float32 or int16 items (or vectors "
                             f"of them), got {input_types[0]}")
        return [input_types[0]]

    _op = staticmethod(np.add)

    def work(self, *xs):
        out = self.buffer(len(xs[0]), xs[0].dtype, xs[0].shape[1:])
        self._op(xs[0], xs[1], out=out)
        for x in xs[2:]:
            self._op(out, x, out=out)
        return out
