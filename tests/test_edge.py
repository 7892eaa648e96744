"""The edge on its own: ring wrap, lent arrays, fan-out readers, tags, backpressure."""
import numpy as np

from sdrflow import COMPLEX64, Tag
from sdrflow.edge import Edge


def test_shared_edge_wraps_and_keeps_order():
    e = Edge(COMPLEX64, 10, shared=True)
    r = e.add_reader()
    x = np.arange(25).astype(np.complex64)
    got, pos = [], 0
    while pos < len(x) or e.end - e.readers[r]:
        n = min(e.space(), len(x) - pos)
        if n:
            e.put(x[pos:pos + n])
            pos += n
        v = e.read(r, 4)  # at most to the end of the ring: views never wrap
        got.append(v.copy())
        e.consume(r, len(v))
    np.testing.assert_array_equal(np.concatenate(got), x)


def test_local_edge_lends_then_settles_what_readers_left():
    e = Edge(COMPLEX64, 16, shared=False)
    a, b = e.add_reader(), e.add_reader()
    released = []
    e.release = released.append
    base = np.arange(8).astype(np.complex64)
    e.put(base[:6], base=base)
    assert e.read(a, 10).base is base  # no copy while lent
    e.consume(a, 6)
    e.consume(b, 2)
    assert e.space() == 16 - 4
    e.settle()  # reader b still needs items 2..5: copied into the ring, the array given back
    assert released == [base] and e.lent is None
    base[:] = -1
    np.testing.assert_array_equal(e.read(b, 10), [2, 3, 4, 5])


def test_tags_by_reader_position_and_finished_readers_free_space():
    e = Edge(COMPLEX64, 8, shared=True)
    a, b = e.add_reader(), e.add_reader()
    e.put(np.zeros(8, np.complex64), [Tag(3, "k", 1), Tag(7, "k", 2)])
    assert [t.value for t in e.tags(a, 4)] == [1]
    e.consume(a, 8)
    assert e.space() == 0  # b has read nothing
    e.detach_reader(b)
    assert e.space() == 8 and e.open_readers == 1
    e.close()
    assert e.eos
