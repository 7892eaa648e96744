"""CURVE on ZeroMQ links: the right key gets a bit-exact stream, a wrong key or none gets
nothing and is counted; `sdrflow keygen` writes the key pairs."""
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from sdrflow import Flowgraph, GraphError
from sdrflow.blocks import Head, VectorSink, VectorSource, ZMQPullSource, ZMQPushSink

X = (np.random.default_rng(5).standard_normal(50_000) * (1 + 1j)).astype(np.complex64)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    for name in ("server", "laptop", "stranger"):
        p = subprocess.run([sys.executable, "-m", "sdrflow.cli", "keygen", name, "--dir", str(folder)],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    return folder


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(keys, port):
    fg = Flowgraph(chunk=5000)
    sink = ZMQPushSink(f"tcp://127.0.0.1:{port}").secure(keys / "server.key_secret",
                                                          clients=[keys / "laptop.key"])
    fg.connect(VectorSource(X, rate=1e6, repeat=True), sink)
    fg.start()
    return fg, sink


def receive(address, n, secure=None):
    rx = Flowgraph()
    src = ZMQPullSource(address, rate=1e6, idle_timeout=1.0)
    if secure:
        src.secure(*secure[:1], server_key=secure[1])
    out = VectorSink()
    rx.connect(src, Head(n), out)
    rx.run()
    return out.data


def wait_for(condition):
    for _ in range(1000):
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_the_right_key_gets_the_stream_bit_exact(keys):
    port = free_port()
    fg, _ = serve(keys, port)
    try:
        got = receive(f"tcp://127.0.0.1:{port}", 20_000, (keys / "laptop.key_secret", keys / "server.key"))
    finally:
        fg.stop()
        fg.wait()
    start = int(np.argmin(np.abs(X - got[0])))  # where in the loop it joined
    np.testing.assert_array_equal(got, np.roll(X, -start)[:20_000])


def test_a_key_not_on_the_list_gets_nothing_and_is_counted(keys):
    port = free_port()
    fg, sink = serve(keys, port)
    try:
        got = receive(f"tcp://127.0.0.1:{port}", 1000, (keys / "stranger.key_secret", keys / "server.key"))
        assert len(got) == 0
        assert wait_for(lambda: sink.counters()["curve_denied"] >= 1)
    finally:
        fg.stop()
        fg.wait()


def test_a_client_without_curve_gets_nothing_and_is_counted(keys):
    port = free_port()
    fg, sink = serve(keys, port)
    try:
        assert len(receive(f"tcp://127.0.0.1:{port}", 1000)) == 0
        assert wait_for(lambda: sink.counters()["curve_handshakes_failed"] >= 1)
    finally:
        fg.stop()
        fg.wait()


def test_misconfigured_curve_is_refused_where_it_is_made(keys):
    with pytest.raises(ValueError, match="holds no secret key"):
        ZMQPushSink("tcp://127.0.0.1:5999").secure(keys / "server.key")
    fg = Flowgraph()
    fg.connect(VectorSource(X, rate=1e6), ZMQPushSink(f"tcp://127.0.0.1:{free_port()}").secure(
        keys / "server.key_secret"))
    with pytest.raises(GraphError, match="needs the client keys it accepts"):
        fg.start()
    p = subprocess.run([sys.executable, "-m", "sdrflow.cli", "keygen", "server", "--dir", str(keys)],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "not overwritten" in p.stderr
    for name in ("", "../server", "sub/laptop", ".hidden"):
        p = subprocess.run([sys.executable, "-m", "sdrflow.cli", "keygen", name, "--dir",
                            str(keys)], capture_output=True, text=True)
        assert p.returncode == 2 and "NAME is the key's plain name" in p.stderr, name
    assert not (keys.parent / "server.key").exists() and not (keys / "sub").exists()
    assert not (keys / ".key").exists() and not (keys / ".hidden.key").exists()


def test_message_links_take_curve_too(keys):
    from sdrflow.blocks import MessageSink, ZMQMessageSink, ZMQMessageSource

    port = free_port()
    tx = Flowgraph()
    out = ZMQMessageSink(f"tcp://127.0.0.1:{port}", pattern="push").secure(
        keys / "server.key_secret", clients=[keys / "laptop.key"])
    tx.add(out)
    tx.start()
    results = {}
    try:
        for who in ("laptop", "stranger"):
            rx, got = Flowgraph(), MessageSink()
            src = ZMQMessageSource(f"tcp://127.0.0.1:{port}", pattern="pull", idle_timeout=1.0).secure(
                keys / f"{who}.key_secret", server_key=keys / "server.key")
            rx.connect((src, "out"), (got, "in"))
            rx.start()
            if who == "laptop":
                for k in range(3):
                    tx.post(out, "in", {"packet": k, "crc": "ok"})
                assert wait_for(lambda: len(got.messages) == 3)
            rx.wait(30)  # ends after a second without messages
            results[who] = got.messages
        assert results["laptop"] == [{"packet": k, "crc": "ok"} for k in range(3)]
        assert results["stranger"] == [] and wait_for(lambda: out.counters()["curve_denied"] >= 1)
    finally:
        tx.stop()
        tx.wait()
