"""ZeroMQ stream blocks: sdrflow to sdrflow, malformed frames, and GNU Radio on either end."""
import json
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import zmq

from sdrflow import Flowgraph, GraphError, Tag
from sdrflow.blocks import (Head, SignalSource, VectorSink, VectorSource, ZMQPubSink,
                            ZMQPullSource, ZMQPushSink, ZMQSubSource)
from sdrflow.wire import decode_frame, encode_frame, pmt_decode, pmt_encode

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from audio import finish  # noqa: E402

X = (np.random.default_rng(8).standard_normal(50_000) * (1 + 1j)).astype(np.complex64)
TAGS = [Tag(0, "rx_freq", 100e6), Tag(1234, "burst", "start"), Tag(40_000, "rx_time", (1700000000, 0.25))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wire_format_matches_the_reference_example():
    header = encode_frame(np.zeros(0, np.complex64), 1000, [Tag(1000, "rx_freq", 1e8)])
    assert header.hex() == ("f05f01" + "e803000000000000" + "0100000000000000" + "e803000000000000"
                            + "0200077278" + "5f66726571" + "044197d78400000000" + "01")
    assert pmt_encode((1700000000, 0.25))[:5].hex() == "0c00000002"
    assert pmt_encode(5000000000).hex() == "0d000000012a05f200"
    assert pmt_encode({"a": 1}).hex() == "0907020001610300000001" + "06"
    for value in (True, None, "x", -7, 2**40, 1.5, 2j, (1, "a"), [1, 2], {"k": [1.0]}):
        assert pmt_decode(pmt_encode(value))[0] == value
    payload, offset, tags = decode_frame(header + X[:3].tobytes(), 8, True)
    assert offset == 1000 and tags == [Tag(1000, "rx_freq", 1e8)]
    np.testing.assert_array_equal(np.frombuffer(payload, np.complex64), X[:3])


@pytest.mark.parametrize("pass_tags", [False, True])
def test_push_pull_round_trip_keeps_items_and_tags(pass_tags):
    address = f"tcp://127.0.0.1:{free_port()}"
    rx = Flowgraph()
    sink = VectorSink()
    rx.connect(ZMQPullSource(address, rate=1e6, pass_tags=pass_tags, idle_timeout=1.0), sink)
    tx = Flowgraph(chunk=4096)
    push = ZMQPushSink(address.replace("127.0.0.1", "*"), pass_tags=pass_tags)
    tx.connect(VectorSource(X, rate=1e6, tags=TAGS), push)
    tx.start()
    rx.run()
    tx.wait(5)
    np.testing.assert_array_equal(sink.data, X)
    if pass_tags:
        assert [(t.offset, t.key, t.value) for t in sink.tags] == [(t.offset, t.key, t.value) for t in TAGS]
    assert push.frames_sent >= 2 and push.items_sent == len(X) and push.items_unsent == 0


def test_malformed_frames_are_counted_and_skipped():
    port = free_port()
    ctx = zmq.Context()
    sender = ctx.socket(zmq.PUSH)
    sender.bind(f"tcp://127.0.0.1:{port}")
    src = ZMQPullSource(f"tcp://127.0.0.1:{port}", rate=1e6, pass_tags=True, idle_timeout=0.5)
    sink = VectorSink()
    fg = Flowgraph()
    fg.connect(src, sink)
    fg.start()
    sender.send(encode_frame(X[:100], 0))
    sender.send(b"\x00" * 7)                               # too short for a header
    sender.send(b"\x12\x34" + encode_frame(X[:10], 100)[2:])  # wrong magic
    sender.send(encode_frame(X[:10], 100) + b"\x01")       # not a whole number of items
    sender.send(encode_frame(X[100:200], 150))             # 50 items lost on the way
    fg.wait(10)
    sender.close()
    ctx.term()
    assert src.frames_rejected == 3 and src.frames_received == 2 and src.items_lost == 50
    np.testing.assert_array_equal(sink.data, X[:200])
    assert [(t.offset, t.key, t.value) for t in sink.tags] == [(100, "zmq_gap", 50)]


def test_pub_sub_with_key_delivers_a_contiguous_tail():
    from sdrflow.blocks import Throttle
    port = free_port()
    ramp = np.arange(400_000).astype(np.complex64)  # values tell positions
    tx = Flowgraph(chunk=4000)
    tx.connect(VectorSource(ramp, rate=1e6), Throttle(),
               ZMQPubSink(f"tcp://*:{port}", key="rx", pass_tags=True))
    tx.start()  # 0.4 s of stream; the subscribers join while it runs
    sub = ZMQSubSource(f"tcp://127.0.0.1:{port}", rate=1e6, key="rx", pass_tags=True, idle_timeout=1.0)
    other = ZMQSubSource(f"tcp://127.0.0.1:{port}", rate=1e6, key="tv", idle_timeout=1.0)
    rx, got, none = Flowgraph(), VectorSink(), VectorSink()
    rx.connect(sub, got)
    rx.connect(other, none)
    rx.run()
    tx.wait(10)
    data = got.data.real.astype(int)
    assert 0 < len(data) <= len(ramp) and len(none.data) == 0  # a late joiner misses the start
    np.testing.assert_array_equal(data, np.arange(data[0], data[0] + len(data)))  # no gap
    assert data[-1] == len(ramp) - 1 and sub.items_lost == 0


def test_bad_addresses_are_refused_where_they_are_made():
    with pytest.raises(ValueError, match="inproc:// cannot reach GNU Radio"):
        ZMQPushSink("inproc://x")
    port = free_port()
    blocker = zmq.Context().socket(zmq.PULL)
    blocker.bind(f"tcp://127.0.0.1:{port}")
    try:
        fg = Flowgraph()
        fg.connect(SignalSource(1, rate=10), Head(10), ZMQPushSink(f"tcp://127.0.0.1:{port}"))
        with pytest.raises(GraphError, match="cannot bind tcp://127.0.0.1"):
            fg.start()
    finally:
        blocker.close()


def test_push_sink_stop_does_not_hang_without_a_receiver():
    fg = Flowgraph(chunk=1000)
    push = ZMQPushSink(f"tcp://127.0.0.1:{free_port()}", hwm=2, linger=0.1)
    fg.connect(SignalSource(1, rate=1e6), push)
    fg.start()
    while fg.stats()[0]["items_out"] == 0:  # the source is running and the sink has items
        time.sleep(0.01)
    fg.stop()
    assert fg.wait(60)  # a guard against hanging, not a speed limit


# -- GNU Radio on the other end (Debian's gnuradio package; .ci/run installs it) ----------------
def gnuradio(script, timeout=60):
    try:
        ok = subprocess.run(["/usr/bin/python3", "-c", "import gnuradio.zeromq"], capture_output=True).returncode == 0
    except FileNotFoundError:
        ok = False
    if not ok:
        pytest.skip("GNU Radio is not installed for /usr/bin/python3 (apt-get install gnuradio)")
    return subprocess.Popen(["/usr/bin/python3", "-c", textwrap.dedent(script)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_gnuradio_push_sink_to_sdrflow_pull_source():
    port = free_port()
    proc = gnuradio(f"""
        import time, pmt
        from gnuradio import gr, blocks, zeromq
        data = [complex(i, -i) for i in range(20000)]
        tags = [gr.tag_utils.python_to_tag((0, pmt.intern("rx_freq"), pmt.from_double(1e8))),
                gr.tag_utils.python_to_tag((777, pmt.intern("burst"), pmt.intern("start")))]
        tb = gr.top_block()
        src = blocks.vector_source_c(data, False, 1, tags)
        sink = zeromq.push_sink(gr.sizeof_gr_complex, 1, "tcp://127.0.0.1:{port}", 100, True, -1)
        tb.connect(src, sink)
        tb.run()
        time.sleep(1.5)  # linger: let the frames go out
    """)
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(ZMQPullSource(f"tcp://127.0.0.1:{port}", rate=1e6, pass_tags=True, idle_timeout=3.0), sink)
    fg.run()
    proc.wait(30)
    np.testing.assert_array_equal(sink.data, (np.arange(20000) * (1 - 1j)).astype(np.complex64))
    assert [(t.offset, t.key, t.value) for t in sink.tags] == [(0, "rx_freq", 1e8), (777, "burst", "start")]


def test_sdrflow_push_sink_to_gnuradio_pull_source():
    port = free_port()
    proc = gnuradio(f"""
        import json, time, pmt
        from gnuradio import gr, blocks, zeromq
        tb = gr.top_block()
        src = zeromq.pull_source(gr.sizeof_float, 1, "tcp://127.0.0.1:{port}", 100, True, -1)
        sink = blocks.vector_sink_f()
        tb.connect(src, sink)
        tb.start()  # (run() with a head after a zmq source does not return in GR 3.10.5)
        deadline = time.time() + 30
        while len(sink.data()) < 30000 and time.time() < deadline:
            time.sleep(0.05)
        tb.stop()
        tb.wait()
        tags = [(t.offset, pmt.symbol_to_string(t.key), pmt.to_python(t.value)) for t in sink.tags()]
        print(json.dumps({{"data": list(sink.data()), "tags": tags}}))
    """)
    data = np.arange(30000, dtype=np.float32)
    fg = Flowgraph(chunk=7000)
    fg.connect(VectorSource(data, rate=48e3, tags=[Tag(5, "rx_rate", 48e3), Tag(29999, "last", 1)]),
               ZMQPushSink(f"tcp://127.0.0.1:{port}", pass_tags=True))
    fg.run()
    out, err = finish(proc, 60)
    got = json.loads(out.strip().splitlines()[-1])
    np.testing.assert_array_equal(np.array(got["data"], np.float32), data)
    # GNU Radio sees sdrflow's description of the stream as one more tag at 0, and takes the
    # empty end-of-stream frame in its stride
    assert [tuple(t) for t in got["tags"]] == [
        (0, "sdrflow_stream", {"dtype": "float32", "vlen": 1, "rate": 48e3}), (5, "rx_rate", 48e3), (29999, "last", 1)]


def test_gnuradio_rep_sink_to_sdrflow_req_source():
    from sdrflow.blocks import ZMQReqSource

    port = free_port()
    proc = gnuradio(f"""
        import time, pmt
        from gnuradio import gr, blocks, zeromq
        data = [complex(i, -i) for i in range(20000)]
        tags = [gr.tag_utils.python_to_tag((3, pmt.intern("rx_freq"), pmt.from_double(1e8)))]
        tb = gr.top_block()
        src = blocks.vector_source_c(data, False, 1, tags)
        sink = zeromq.rep_sink(gr.sizeof_gr_complex, 1, "tcp://127.0.0.1:{port}", 100, True, -1)
        tb.connect(src, sink)
        tb.run()
        time.sleep(1.5)  # linger: let the last reply go out
    """)
    fg = Flowgraph(chunk=3000)
    sink = VectorSink()
    req = ZMQReqSource(f"tcp://127.0.0.1:{port}", rate=1e6, pass_tags=True, idle_timeout=3.0)
    fg.connect(req, sink)
    fg.run()
    proc.wait(30)
    np.testing.assert_array_equal(sink.data, (np.arange(20000) * (1 - 1j)).astype(np.complex64))
    assert [(t.offset, t.key, t.value) for t in sink.tags] == [(3, "rx_freq", 1e8)]
    assert req.items_lost == 0 and req.frames_rejected == 0


def test_sdrflow_rep_sink_to_gnuradio_req_source():
    from sdrflow.blocks import ZMQRepSink

    port = free_port()
    proc = gnuradio(f"""
        import json, time
        from gnuradio import gr, blocks, zeromq
        tb = gr.top_block()
        src = zeromq.req_source(gr.sizeof_float, 1, "tcp://127.0.0.1:{port}", 100, False, -1)
        sink = blocks.vector_sink_f()
        tb.connect(src, sink)
        tb.start()
        deadline = time.time() + 30
        while len(sink.data()) < 30000 and time.time() < deadline:
            time.sleep(0.05)
        tb.stop()
        tb.wait()
        print(json.dumps({{"data": list(sink.data())}}))
    """)
    data = np.arange(30000, dtype=np.float32)
    fg = Flowgraph(chunk=7000)
    rep = ZMQRepSink(f"tcp://127.0.0.1:{port}")
    fg.connect(VectorSource(data, rate=48e3), rep)
    fg.run()
    out, err = finish(proc, 60)
    got = json.loads(out.strip().splitlines()[-1])
    np.testing.assert_array_equal(np.array(got["data"], np.float32), data)
    assert rep.items_sent == 30000 and rep.items_unsent == 0


# -- messages ----------------------------------------------------------------------------------
def test_messages_round_trip_and_bad_frames_are_skipped():
    from sdrflow.blocks import MessageSink, ZMQMessageSink, ZMQMessageSource
    from sdrflow.wire import Pair
    port = free_port()
    rx, got = Flowgraph(), MessageSink()
    src = ZMQMessageSource(f"tcp://127.0.0.1:{port}", pattern="pull", bind=True, idle_timeout=1.0)
    rx.connect((src, "out"), (got, "in"))
    rx.start()
    tx = Flowgraph()
    sink = ZMQMessageSink(f"tcp://127.0.0.1:{port}", pattern="push", bind=False)
    tx.add(sink)
    tx.start()
    packets = [{"offset": 5, "bits": [1, 0, 1]}, "text", (1700000000, 0.5),
               ({"len": 3}, np.array([1, 2, 3], np.uint8))]
    for p in packets:
        tx.post(sink, "in", p)
    tx.post(sink, "in", object())  # cannot be serialized: refused and counted
    for _ in range(3000):  # wait (on a count) for the four to arrive before the garbage
        if src.messages_received == 4:
            break
        time.sleep(0.01)
    ctx = zmq.Context()
    raw = ctx.socket(zmq.PUSH)
    raw.connect(f"tcp://127.0.0.1:{port}")
    raw.send(b"\x77garbage")  # not a PMT
    raw.close(linger=500)
    rx.wait(10)
    tx.stop()
    tx.wait(5)
    ctx.term()
    assert got.messages[:3] == packets[:3]
    meta, data = got.messages[3]
    assert isinstance(got.messages[3], Pair) and meta == {"len": 3} and data.tolist() == [1, 2, 3]
    assert sink.messages_rejected == 1 and src.messages_rejected == 1 and src.messages_received == 4


def test_gnuradio_message_source_takes_sdrflow_messages():
    port = free_port()
    proc = gnuradio(f"""
        import json, time, pmt
        from gnuradio import gr, zeromq
        class Keep(gr.basic_block):
            def __init__(self):
                gr.basic_block.__init__(self, "keep", None, None)
                self.got = []
                self.message_port_register_in(pmt.intern("in"))
                self.set_msg_handler(pmt.intern("in"), self.handle)  # a method: GR looks it up by name
            def handle(self, msg):
                self.got.append(pmt.to_python(msg))
        tb = gr.top_block()
        src = zeromq.sub_msg_source("tcp://127.0.0.1:{port}", 100)
        keep = Keep()
        tb.msg_connect(src, "out", keep, "in")
        tb.start()
        deadline = time.time() + 20
        while len(keep.got) < 2 and time.time() < deadline:
            time.sleep(0.05)
        tb.stop(); tb.wait()
        print(json.dumps(keep.got, default=str))
    """)
    from sdrflow.blocks import ZMQMessageSink
    fg = Flowgraph()
    sink = ZMQMessageSink(f"tcp://*:{port}")
    fg.add(sink)
    fg.start()
    deadline = time.time() + 20
    while proc.poll() is None and time.time() < deadline:
        fg.post(sink, "in", {"callsign": "AMC421", "altitude": 24275})  # PUB: resend until joined
        fg.post(sink, "in", "hello")
        time.sleep(0.2)
    fg.stop()
    fg.wait(5)
    out, err = finish(proc, 30)
    got = json.loads(out.strip().splitlines()[-1])
    assert {"callsign": "AMC421", "altitude": 24275} in got and "hello" in got


def test_offsets_beyond_reason_are_flagged_not_counted_and_stats_show_the_counters():
    port = free_port()
    ctx = zmq.Context()
    sender = ctx.socket(zmq.PUSH)
    sender.bind(f"tcp://127.0.0.1:{port}")
    src = ZMQPullSource(f"tcp://127.0.0.1:{port}", rate=1e6, pass_tags=True, idle_timeout=0.5)
    sink = VectorSink()
    fg = Flowgraph()
    fg.connect(src, sink)
    fg.start()
    sender.send(encode_frame(X[:100], 0))
    sender.send(encode_frame(X[100:200], 10**12))   # a jump of 10¹²: not 10¹² lost items
    sender.send(encode_frame(X[200:300], 5))        # backwards: a restarted sender
    sender.send(encode_frame(X[300:400], 105))      # carries on from there
    fg.wait(10)
    sender.close()
    ctx.term()
    assert src.items_lost == 0 and src.offset_jumps == 2
    assert [t.key for t in sink.tags] == ["zmq_offset_jump", "zmq_offset_jump"]
    row = next(r for r in fg.stats() if r["block"] == src.name)
    assert (row["frames_received"], row["frames_rejected"], row["items_lost"]) == (4, 0, 0)


def test_a_frame_beyond_the_maximum_size_never_reaches_the_graph():
    port = free_port()
    ctx = zmq.Context()
    sender = ctx.socket(zmq.PUSH)
    sender.bind(f"tcp://127.0.0.1:{port}")
    src = ZMQPullSource(f"tcp://127.0.0.1:{port}", rate=1e6, idle_timeout=0.5, max_message=4096)
    sink = VectorSink()
    fg = Flowgraph()
    fg.connect(src, sink)
    fg.start()
    sender.send(X[:100].tobytes())                 # 800 bytes: fine
    sender.send(np.zeros(10_000, np.complex64).tobytes())  # 80 KB: the receiver drops the peer
    fg.wait(10)
    sender.close(0)
    ctx.term()
    np.testing.assert_array_equal(sink.data, X[:100])
