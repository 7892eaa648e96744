"""The edge on its own: ring wrap, fan-out readers, tags, backpressure."""
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


def test_local_edge_copies_and_fan_out_readers_move_alone():
    e = Edge(COMPLEX64, 16, shared=False)
    a, b = e.add_reader(), e.add_reader()
    wakes = []
    e.wake_readers = e.wake_writer = lambda: wakes.append(1)
    x = np.arange(8).astype(np.complex64)
    e.put(x[:6])
    x[:] = -1  # the writer's array is free again at once
    np.testing.assert_array_equal(e.read(a, 10), [0, 1, 2, 3, 4, 5])
    e.consume(a, 6)
    e.consume(b, 2)
    assert e.space() == 16 - 4  # b still holds back items 2..5
    np.testing.assert_array_equal(e.read(b, 10), [2, 3, 4, 5])
    assert e.read(a, 10).size == 0 and not wakes  # one thread: nobody to wake


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


def test_items_passed_by_the_ring_count_in_positions_and_tags():
    # A direct hand-off: the one reader took 5 items straight from the writer.
    e = Edge(COMPLEX64, 8, shared=False)
    r = e.add_reader()
    e.pass_by(5)
    assert (e.end, e.readers[r], e.space()) == (5, 5, 8)
    assert e.read(r, 8).size == 0  # nothing waits in the ring
    e.put(np.arange(3).astype(np.complex64), [Tag(6, "k", 1)])  # items 5, 6, 7 of the stream
    assert [(t.offset, t.value) for t in e.tags(r, 3)] == [(6, 1)]
    np.testing.assert_array_equal(e.read(r, 8), [0, 1, 2])
