"""The block contract: what work() returns is checked, and ownership is declared."""
import numpy as np
import pytest

from sdrflow import COMPLEX64, FLOAT32, FREE, Block, BlockError, Decimate, Flowgraph, Port, StreamType
from sdrflow.blocks import NullSink, VectorSink, VectorSource
from sdrflow.edge import Edge


class Returns(Block):
    """A float32 1:1 block whose work returns ``make(self, x)``."""

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", FLOAT32)]

    def __init__(self, make, rule=None):
        self.make = make
        if rule is not None:
            self.rate_rule = rule

    def work(self, x):
        return self.make(self, x)


def run_through(block, n=1000, chunk=256):
    fg = Flowgraph(chunk=chunk)
    sink = VectorSink()
    fg.connect(VectorSource(np.arange(n, dtype=np.float32), rate=1e3), block, sink)
    fg.run()
    return sink.data


def filled(self, x, n=None, dtype=np.float32):
    n = len(x) if n is None else n
    out = self.buffer(n, dtype)
    out[:] = 1
    return out


@pytest.mark.parametrize("make, expected", [
    (lambda self, x: filled(self, x, dtype=np.float64), r"returned float64 items, the port carries float32"),
    (lambda self, x: filled(self, x, n=2 * len(x)), r"returned \d+ items for \d+ inputs; its rate rule is 1:1"),
    (lambda self, x: filled(self, x, n=len(x) - 1), r"returned \d+ items for \d+ inputs; its rate rule is 1:1"),
    (lambda self, x: list(x), r"returned list, not a numpy array"),
    (lambda self, x: x * 2, r"returned an array that did not come from self.buffer\(\)"),
    (lambda self, x: x[:], r"returned an array that did not come from self.buffer\(\)"),
    (lambda self, x: self.buffer(len(x), np.float32, (2,)), r"returned an array of shape \(\d+, 2\), expected \(n,\)"),
])
def test_a_broken_result_is_a_block_error_naming_block_port_and_values(make, expected):
    block = Returns(make)
    with pytest.raises(BlockError, match=rf"block {block.name} failed: ContractError: "
                                         rf"work\(\) on output 'out' {expected}"):
        run_through(block)


class BadSource(Block):
    outputs = [Port("out", COMPLEX64)]

    def __init__(self, make):
        self.make = make

    def output_rate(self, rate):
        return 1e3

    def work(self, n):
        return self.make(self, n)


@pytest.mark.parametrize("make, expected", [
    (lambda self, n: self.buffer(n, np.complex128), "complex128 items"),
    (lambda self, n: self.buffer(n, np.complex64, (3,)), r"shape \(\d+, 3\)"),
    (lambda self, n: np.zeros(n, np.complex64), "did not come from self.buffer"),
    (lambda self, n: self.buffer(n + 1, np.complex64), r"returned \d+ items when asked for at most"),
])
def test_a_source_is_checked_too(make, expected):
    fg = Flowgraph(chunk=64)
    fg.connect(BadSource(make), NullSink())
    with pytest.raises(BlockError, match=expected):
        fg.run()


@pytest.mark.parametrize("chunk, extra", [(256, 2), (1, 1)])
def test_decimator_may_not_run_ahead_of_its_rate(chunk, extra):
    # At one item a call, one item out looks like a 1:1 block's result: it is checked all the same.
    block = Returns(lambda self, x: filled(self, x, n=len(x) // 2 + extra), rule=Decimate(2))
    with pytest.raises(BlockError, match=r"allows at most"):
        run_through(block, chunk=chunk)


class Unpack(Block):
    """Free rate: up to 8 outputs per input, declared through max_output."""

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", FLOAT32)]
    rate_rule = FREE

    def output_rate(self, rate):
        return rate * 8

    def max_output(self, n):
        return 8 * n

    def work(self, x):
        out = self.buffer(8 * len(x), np.float32)
        out[:] = np.repeat(x, 8)
        return out


def test_free_rate_block_gets_inputs_its_max_output_fits():
    got = run_through(Unpack(), n=5000, chunk=512)
    np.testing.assert_array_equal(got, np.repeat(np.arange(5000, dtype=np.float32), 8))


def test_free_rate_block_that_exceeds_its_max_output_is_refused():
    class Greedy(Unpack):
        def max_output(self, n):
            return n

    with pytest.raises(BlockError, match=r"more than its max_output"):
        run_through(Greedy(), n=100)


def test_passthrough_block_hands_its_input_on_and_the_copy_is_safe():
    class Half(Block):
        inputs = [Port("in", FLOAT32)]
        outputs = [Port("out", FLOAT32)]
        passthrough = True

        def work(self, x):
            return x

    got = run_through(Half(), n=10000, chunk=300)
    np.testing.assert_array_equal(got, np.arange(10000, dtype=np.float32))


def test_reader_sees_the_last_items_of_a_closing_writer():
    e = Edge(StreamType(np.float32), 16, shared=True)
    r = e.add_reader()
    e.put(np.ones(3, np.float32))
    e.close()
    assert len(e.read(r, 10)) == 3  # items first, then the end
    e.consume(r, 3)
    assert e.read(r, 10) is None


def test_read_gives_an_empty_view_while_the_writer_is_still_open():
    e = Edge(StreamType(np.float32), 16, shared=True)
    r = e.add_reader()
    assert len(e.read(r, 4)) == 0
    e.put(np.arange(6, dtype=np.float32))
    np.testing.assert_array_equal(e.read(r, 4), [0, 1, 2, 3])  # at most what was asked
