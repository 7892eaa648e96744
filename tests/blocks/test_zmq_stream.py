"""sdrflow to sdrflow over ZeroMQ: the stream says its type and rate, marks its end, counts
what it could not send and what did not arrive, and keeps its queues bounded in bytes."""
import threading
import time

import numpy as np
import pytest
import zmq

from sdrflow import Flowgraph
from sdrflow.blocks import (Head, SignalSource, VectorSink, VectorSource, ZMQPubSink, ZMQPullSource,
                            ZMQPushSink, ZMQSubSource)
from sdrflow.blocks.zmq_push_sink import FRAME_BYTES
from sdrflow.errors import BlockError



def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

F = np.random.default_rng(3).standard_normal(300_000).astype(np.float32)


def sender(address, data, rate=48e3, **kw):
    fg = Flowgraph(chunk=8192)
    push = ZMQPushSink(address, **kw)
    fg.connect(VectorSource(data, rate=rate), push)
    return fg, push


@pytest.mark.parametrize("pass_tags", [False, True])
def test_the_source_ends_with_its_sender(pass_tags):
    address = f"tcp://127.0.0.1:{free_port()}"
    tx, push = sender(address, F, pass_tags=pass_tags)
    rx, sink = Flowgraph(), VectorSink()
    pull = ZMQPullSource(address, rate=48e3, dtype=np.float32, pass_tags=pass_tags)  # no idle timeout
    rx.connect(pull, sink)
    rx.start()
    tx.run()
    rx.wait(60)  # ends by itself: the end marker
    np.testing.assert_array_equal(sink.data, F)
    assert push.items_sent == len(F) and push.items_unsent == 0 and pull.items_lost == 0


def test_the_receiver_learns_type_and_rate_from_an_sdrflow_sender():
    address = f"tcp://127.0.0.1:{free_port()}"
    data = np.arange(4000 * 4, dtype=np.float32).reshape(-1, 4)  # a vector stream
    tx = Flowgraph(chunk=512)
    tx.connect(VectorSource(data.ravel(), rate=1e3), __import__("sdrflow.blocks", fromlist=["x"]).StreamToVector(4),
               ZMQPushSink(address, pass_tags=True))
    tx.start()  # waits for its receiver
    rx, sink = Flowgraph(), VectorSink()
    pull = ZMQPullSource(address, pass_tags=True)  # neither rate nor type given
    rx.connect(pull, sink)
    rx.run()
    tx.wait(30)
    assert str(pull.stype) == "float32[4]" and pull.sample_rate == 250.0
    np.testing.assert_array_equal(sink.data, data)
    assert not any(t.key.startswith("sdrflow_") for t in sink.tags)


def test_a_sender_that_disagrees_stops_the_run_naming_both():
    address = f"tcp://127.0.0.1:{free_port()}"
    tx, _ = sender(address, F, rate=48e3, pass_tags=True)
    rx = Flowgraph()
    rx.connect(ZMQPullSource(address, rate=2.4e6, pass_tags=True), VectorSink())  # complex64 at 2.4 MHz
    rx.start()
    threading.Thread(target=tx.run, daemon=True).start()
    with pytest.raises(BlockError, match=r"sends float32 at 48000 Hz, this source expects complex64 at 2.4e\+06 Hz"):
        rx.wait(60)
    tx.stop()


def test_learning_without_a_sender_says_what_to_do():
    rx = Flowgraph()
    rx.connect(ZMQPullSource(f"tcp://127.0.0.1:{free_port()}", pass_tags=True, learn_timeout=0.3), VectorSink())
    with pytest.raises(ValueError, match="start the sender first, or give rate= and dtype="):
        rx.run()
    with pytest.raises(ValueError, match="give rate= and dtype="):
        ZMQPullSource("tcp://127.0.0.1:5555")


def test_what_a_slow_receiver_never_took_is_counted(caplog):
    address = f"tcp://127.0.0.1:{free_port()}"
    ctx = zmq.Context()
    slow = ctx.socket(zmq.PULL)
    try:
        slow.setsockopt(zmq.RCVHWM, 1)
        slow.connect(address)
        data = np.zeros(4_000_000, np.complex64)  # 32 MB: far more than the queues hold
        tx = Flowgraph(chunk=len(data))  # one work call of 32 MB: 32 frames of 1 MB
        push = ZMQPushSink(address.replace("127.0.0.1", "*"), linger=0.5, hwm=2)
        tx.connect(VectorSource(data, rate=1e6), push)
        tx.start()
        taken = 0
        while taken < 3:  # take three frames, then nothing more
            if slow.poll(5000):
                slow.recv()
                taken += 1
        while not push.waiting:  # until a frame waits for room in the full queue
            time.sleep(0.01)
        tx.stop()  # the graph stops: the rest gets its bounded wait (0.5 s), then is counted
        tx.wait(30)
        # every item the sink was given was either handed to ZeroMQ or counted as not sent
        assert push.items_unsent > 0 and push.items_sent + push.items_unsent == push._sent
        assert push.items_sent % 131072 == 0 and push._sent == len(data)  # whole 1 MB frames
        assert push.counters()["items_unsent"] == push.items_unsent
        assert "could not be sent within 0.5 s" in caplog.text
    finally:
        slow.close(0)
        ctx.term()


def test_pub_sub_counts_losses_at_start_middle_and_end():
    address = f"tcp://127.0.0.1:{free_port()}"
    n = 2_000_000
    tx = Flowgraph(chunk=16384)
    pub = ZMQPubSink(address.replace("127.0.0.1", "*"), pass_tags=True, hwm=4)
    tx.connect(SignalSource(1e3, rate=1e6), Head(n), pub)
    rx, sink = Flowgraph(), VectorSink()
    tx.start()
    while pub.frames_sent == 0:  # the publisher is under way before anyone listens
        time.sleep(0.01)
    sub = ZMQSubSource(address, pass_tags=True, learn_timeout=30)  # joins a running publisher
    rx.connect(sub, sink)
    rx.run()  # learns, then ends at the end marker
    tx.wait(60)
    assert sub.items_lost_at_start > 0  # it joined late
    assert len(sink.data) + sub.items_lost == n  # every item sent: received or counted lost


def test_queues_are_bounded_in_bytes():
    address = f"tcp://127.0.0.1:{free_port()}"
    push = ZMQPushSink(address.replace("127.0.0.1", "*"))
    fg = Flowgraph()
    fg.connect(VectorSource(np.zeros(10, np.complex64), rate=1.0), push)
    push.input_types = [__import__("sdrflow").block.COMPLEX64]
    push.start(1.0)
    try:
        assert push._socket.getsockopt(zmq.SNDHWM) * FRAME_BYTES == 64 << 20
    finally:
        push._close()
    pull = ZMQPullSource(address, rate=1.0, hwm_bytes=16 << 20)
    pull.start(1.0)
    try:
        assert pull._socket.getsockopt(zmq.RCVHWM) * FRAME_BYTES == 16 << 20
        assert pull._socket.getsockopt(zmq.MAXMSGSIZE) == 64 << 20
    finally:
        pull._close()
    with pytest.raises(ValueError, match="hwm_bytes"):
        ZMQPushSink(address, hwm_bytes=1000)


def test_frames_are_split_at_a_megabyte():
    address = f"tcp://127.0.0.1:{free_port()}"
    tx, push = sender(address, np.zeros(600_000, np.float32), pass_tags=True)  # 2.4 MB
    tx.chunk = 600_000
    rx, sink = Flowgraph(), VectorSink()
    rx.connect(ZMQPullSource(address, rate=48e3, dtype=np.float32, pass_tags=True), sink)
    rx.start()
    tx.run()
    rx.wait(60)
    assert len(sink.data) == 600_000 and push.frames_sent >= 4  # data in ≥ 3 frames, then the end


@pytest.mark.parametrize("pass_tags", [False, True])
def test_req_rep_serves_items_on_request(pass_tags):
    from sdrflow.blocks import ZMQRepSink, ZMQReqSource

    address = f"tcp://127.0.0.1:{free_port()}"
    tx = Flowgraph(chunk=10_000)
    rep = ZMQRepSink(address, pass_tags=pass_tags)
    tx.connect(VectorSource(F, rate=48e3), rep)
    rx, sink = Flowgraph(chunk=3000), VectorSink()
    req = ZMQReqSource(address, rate=48e3, dtype=np.float32, pass_tags=pass_tags)
    rx.connect(req, sink)
    tx.start()
    rx.run()  # ends at the end marker
    tx.wait(30)
    np.testing.assert_array_equal(sink.data, F)
    assert rep.items_sent == len(F) and rep.items_unsent == 0 and req.items_lost == 0
    assert rep.requests >= len(F) // 3000  # never more than it asked for at once


def test_req_learns_the_stream_from_an_sdrflow_rep():
    from sdrflow.blocks import ZMQRepSink, ZMQReqSource

    address = f"tcp://127.0.0.1:{free_port()}"
    tx = Flowgraph()
    tx.connect(VectorSource(F[:50_000], rate=8e3), ZMQRepSink(address, pass_tags=True))
    tx.start()
    rx, sink = Flowgraph(), VectorSink()
    req = ZMQReqSource(address, pass_tags=True)
    rx.connect(req, sink)
    rx.run()
    tx.wait(30)
    assert (str(req.stype), req.sample_rate) == ("float32", 8e3)
    np.testing.assert_array_equal(sink.data, F[:50_000])
