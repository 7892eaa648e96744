"""RtlTcpSource against a fake rtl_tcp server on 127.0.0.1 (the protocol of src/rtl_tcp.c)."""
import socket
import struct
import threading
import time

import numpy as np
import pytest

from sdrflow import BlockError, Flowgraph, GraphError
from sdrflow.blocks import RtlTcpSource, VectorSink

RAW = np.random.default_rng(2).integers(0, 256, 2 * 300_001 + 1, dtype=np.uint8)  # odd length


class FakeRtlTcp:
    """Greets with RTL0 (R820T, 29 gains), records commands, streams ``data``, then closes or
    goes silent."""

    def __init__(self, data, greeting=b"RTL0" + struct.pack(">II", 5, 29), close=True, pieces=4099,
                 pace=0.0):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.commands, self.data, self.greeting, self.close, self.pieces = [], data, greeting, close, pieces
        self.pace = pace  # seconds between pieces, like a radio's steady rate
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            self._stream()
        except OSError:  # the client went away: that is its business, not the server's
            pass

    def _stream(self):
        conn, _ = self.server.accept()
        conn.sendall(self.greeting)
        threading.Thread(target=self._read_commands, args=(conn,), daemon=True).start()
        time.sleep(0.05)
        for i in range(0, len(self.data), self.pieces):  # odd-sized pieces split I/Q pairs
            conn.sendall(self.data[i:i + self.pieces].tobytes())
            time.sleep(self.pace)
        if self.close:
            time.sleep(0.2)
            conn.shutdown(socket.SHUT_RDWR)  # FIN now, though the command reader is in recv()
            conn.close()
        else:
            time.sleep(3)

    def _read_commands(self, conn):
        buf = b""
        try:
            while True:
                part = conn.recv(64)
                if not part:
                    return
                buf += part
                while len(buf) >= 5:
                    self.commands.append(struct.unpack(">BI", buf[:5]))
                    buf = buf[5:]
        except OSError:
            return


def test_streams_and_configures_like_rtl_tcp():
    server = FakeRtlTcp(RAW)
    src = RtlTcpSource(98.5e6, rate=2.4e6, port=server.port, gain=29.7, correction_ppm=-3)
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(src, sink)
    with pytest.raises(BlockError, match="rtl_tcp closed the connection after 300001 samples"):
        fg.run()  # the server going away is a failure of the run; the sink kept everything
    even = RAW[:len(RAW) - 1].astype(np.float64)
    np.testing.assert_allclose(sink.data, (even[0::2] - 127.5) / 127.5 + 1j * (even[1::2] - 127.5) / 127.5, atol=1e-6)
    assert src.tuner == "R820T" and src.gain_count == 29 and src.samples == len(RAW) // 2
    assert server.commands[:5] == [(0x02, 2400000), (0x01, 98500000), (0x03, 1), (0x04, 297),
                                   (0x05, (-3) & 0xFFFFFFFF)]
    assert {t.key for t in sink.tags} == {"rx_freq", "rx_rate", "rx_time"}
    assert {t.key: t.value for t in sink.tags if t.key != "rx_time"} == {"rx_freq": 98.5e6,
                                                                         "rx_rate": 2.4e6}


def streaming():
    """A paced server, and a source into a VectorSink, started, once the stream has begun
    (so a retune comes after the first frequency was tagged)."""
    server = FakeRtlTcp(np.tile(RAW, 3), pieces=20_000, pace=0.005)
    src = RtlTcpSource(100e6, port=server.port)
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(src, sink)
    fg.start()
    while src.samples == 0:
        time.sleep(0.01)
    return server, src, sink, fg


def test_retune_by_message_sends_the_command_and_tags_it():
    server, src, sink, fg = streaming()
    fg.post(src, "ctrl", {"frequency": 101.1e6})
    with pytest.raises(BlockError, match="closed the connection"):
        fg.wait()
    assert (0x01, 101100000) in server.commands and (0x03, 0) in server.commands  # auto gain
    freqs = [t.value for t in sink.tags if t.key == "rx_freq"]
    assert freqs == [100e6, 101.1e6]


def test_the_dongles_switches_go_as_rtl_tcps_commands():
    """Direct sampling (before the frequency, whose meaning it changes), offset tuning, RTL
    AGC and bias tee at start, and by message while running; a frequency that does not suit
    the mode is refused, where it is made or as a counted rejected message."""
    with pytest.raises(ValueError, match="direct sampling receives 0–28.8 MHz"):
        RtlTcpSource(98.5e6, direct_sampling="q")
    with pytest.raises(ValueError, match="direct_sampling must be None, 'i' or 'q', got 'x'"):
        RtlTcpSource(7.1e6, direct_sampling="x")
    server = FakeRtlTcp(np.tile(RAW, 3), pieces=20_000, pace=0.005)
    src = RtlTcpSource(7.1e6, port=server.port, direct_sampling="q", offset_tuning=True,
                       rtl_agc=True, bias_tee=True)
    fg = Flowgraph()
    fg.connect(src, VectorSink())
    fg.start()
    while src.samples == 0:
        time.sleep(0.01)
    fg.post(src, "ctrl", {"frequency": 100e6})  # beyond direct sampling's 28.8 MHz
    fg.post(src, "ctrl", {"direct_sampling": None, "frequency": 100e6})  # back to the tuner
    fg.post(src, "ctrl", {"bias_tee": False})
    with pytest.raises(BlockError, match="closed the connection"):
        fg.wait()
    assert server.commands[:7] == [(0x02, 2400000), (0x09, 2), (0x0A, 1), (0x08, 1), (0x0E, 1),
                                   (0x01, 7100000), (0x03, 0)]
    assert server.commands[7:] == [(0x09, 0), (0x01, 100000000), (0x0E, 0)]
    assert [r["messages_rejected"] for r in fg.stats() if r["block"] == src.name] == [1]


def test_a_frequency_beyond_the_servers_tuner_is_refused_naming_it():
    """The greeting names the server's tuner; rtl_tcp would stay where it was on a frequency
    beyond it while the client tagged the new one. Refused at start, and on a retune."""
    server = FakeRtlTcp(RAW)
    fg = Flowgraph()
    fg.connect(RtlTcpSource(1900e6, port=server.port), VectorSink())
    with pytest.raises(GraphError, match="1900 MHz is beyond the server's R820T tuner "
                                         r"\(24–1766 MHz\)"):
        fg.start()
    fc2580 = FakeRtlTcp(RAW, greeting=b"RTL0" + struct.pack(">II", 4, 1))
    fg = Flowgraph()
    fg.connect(RtlTcpSource(400e6, port=fc2580.port), VectorSink())
    with pytest.raises(GraphError, match=r"400 MHz is beyond the server's FC2580 tuner "
                                         r"\(146–308, 438–924 MHz\)"):  # its gap
        fg.start()
    server, src, _, fg = streaming()
    fg.post(src, "ctrl", {"frequency": 2000e6})
    with pytest.raises(BlockError, match="closed the connection"):
        fg.wait()
    assert [c for c in server.commands if c[0] == 0x01] == [(0x01, 100_000_000)]
    assert [r["messages_rejected"] for r in fg.stats() if r["block"] == src.name] == [1]


def test_silence_ends_the_stream_and_errors_are_clear():
    server = FakeRtlTcp(RAW[:1000], close=False)
    src = RtlTcpSource(100e6, port=server.port, timeout=0.5)
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(src, sink)
    with pytest.raises(BlockError, match=r"no data from rtl_tcp for 0.5 s \(dongle unplugged\?\) "
                                         r"after 500 samples"):
        fg.run()
    assert len(sink.data) == 500
    with pytest.raises(ValueError, match="RTL-SDR samples at"):
        RtlTcpSource(100e6, rate=500e3)
    port = FakeRtlTcp(RAW, greeting=b"HTTP/1.1 200").port
    fg = Flowgraph()
    fg.connect(RtlTcpSource(100e6, port=port), VectorSink())
    with pytest.raises(GraphError, match="is not rtl_tcp"):
        fg.start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    fg = Flowgraph()
    fg.connect(RtlTcpSource(100e6, port=closed), VectorSink())
    with pytest.raises(GraphError, match="cannot connect to rtl_tcp"):
        fg.start()


def test_greeting_timeout_is_a_total_not_per_byte():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    stop = threading.Event()

    def trickle():  # one byte of the greeting every 0.2 s: 2.4 s for all of it
        conn, _ = server.accept()
        for b in b"RTL0" + struct.pack(">II", 5, 29):
            if stop.wait(0.2):
                break
            conn.send(bytes([b]))
        conn.close()

    threading.Thread(target=trickle, daemon=True).start()
    fg = Flowgraph()
    fg.connect(RtlTcpSource(100e6, port=port, timeout=0.5), VectorSink())
    with pytest.raises(GraphError, match=r"sent no greeting: only [0-3] of 12 bytes in 0.5 s"):
        fg.start()
    stop.set()
