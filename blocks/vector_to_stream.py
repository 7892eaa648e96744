from sdrflow.block import ANY, Block, Interpolate, Port, StreamType


class VectorToStream(Block):
    """Unpacks vector items into a stream of their elements.

    Signature: T[vlen] -> T

    Parameters
    ----------
    vlen : int
        Elements per vector (must match the input).

    Example: ``VectorToStream(1024)``
    """

    inputs = [Port("in", ANY)]

    def __init__(self, vlen: int):
        self.rate_rule = Interpolate(vlen)
        self.vlen = int(vlen)
        self.outputs = [Port("out", "scalar")]

    def output_types(self, input_types):
        if input_types[0].vlen != self.vlen:
            raise ValueError(f"{self.name}: input vectors have {input_types[0].vlen} elements, "
                             f"not {self.vlen}")
        return [StreamType(input_types[0].dtype)]

    def work(self, x):
        out = self.buffer(len(x) * self.vlen, x.dtype)
        out[:] = x.reshape(-1)
        return out
