"""`sdrflow serve`: an rtl_tcp server for any source, tried with sdrflow's RtlTcpSource and with
a raw socket as SDR++ or GQRX would speak to it."""
import json
import socket
import struct
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from audio import finish, read_wav, sinad_db, tone_frequency  # noqa: E402

from sdrflow import BlockError, Flowgraph  # noqa: E402
from sdrflow.blocks import Head, RtlTcpSource, VectorSink, WBFMReceiver  # noqa: E402
from sdrflow.cli.serve import build  # noqa: E402


@pytest.fixture
def served():
    """Start a server flowgraph; stop it at the end of the test."""
    running = []

    def serve(source, **kw):
        fg, sink = build(source, port=0, **kw)
        fg.start()
        running.append(fg)
        return fg, sink

    yield serve
    for fg in running:
        fg.stop()
        fg.wait()


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        part = sock.recv(n - len(data))
        if not part:
            break
        data += part
    return data


def wait_for(condition, what):
    for _ in range(3000):  # a count of polls, each short; the condition is what we wait on
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def test_rtl_tcp_source_receives_the_simulated_station_through_serve(served):
    fg, sink = served("sim", frequency=98.5e6)
    rx = Flowgraph()
    src = RtlTcpSource(98.5e6, port=sink.port)
    audio = VectorSink()
    rx.connect(src, Head(int(2.4e6 * 0.5)), WBFMReceiver(), audio)
    rx.run()
    assert src.tuner == "R820T" and src.gain_count == 29
    assert abs(tone_frequency(audio.data[4800:], 48e3) - 1000) < 3 or \
        abs(tone_frequency(audio.data[4800:], 48e3) - 3000) < 3


def test_listen_over_rtl_tcp_tunes_beside_a_served_station_and_reads_its_rds(served, tmp_path):
    """listen tunes a quarter of the rate above the station, so the served simulation has to
    retune as a radio does, the station keeping its own frequency (it ignored the retune
    once, and listen heard noise: SINAD −20 dB, no RDS)."""
    from sdrflow.cli.listen import build as listen

    fg, sink = served("sim:fm?rds=1", frequency=98.5e6)
    out, log = tmp_path / "fm.wav", tmp_path / "groups.jsonl"
    rx, _ = listen(98.5e6, source=f"rtl_tcp:127.0.0.1:{sink.port}", output=str(out), seconds=5,
                   rds_json=str(log))
    rx.run()
    assert fg.blocks[0].frequency == 98.5e6 + 600e3 and fg.blocks[0].offset == -600e3
    groups = [json.loads(line) for line in log.read_text().splitlines()]
    assert {g["ps"] for g in groups if "ps" in g} == {"SDRFLOW "}
    pcm, rate = read_wav(out)
    assert rate == 48000 and sinad_db(pcm[9600:, 0], 48e3, (1000, 3000)) >= 40


def test_listen_over_rtl_tcp_sets_up_the_served_dongle_for_hf(served, tmp_path):
    """rtl_fm's -T and -E direct, given to listen over rtl_tcp, reach the dongle behind the
    server: direct sampling before the HF frequency, the bias tee."""
    from sdrflow.cli.listen import build as listen

    fg, sink = served("rtl?sim=1", frequency=100e6)
    rx, status = listen(7.1e6, mode="am", source=f"rtl_tcp:127.0.0.1:{sink.port}", direct=True,
                        bias_tee=True, output=str(tmp_path / "hf.wav"), seconds=0.3)
    assert f"on rtl_tcp:127.0.0.1:{sink.port}?bias=1&direct=i;" in status
    rx.run()
    dongle = fg.blocks[0].driver
    wait_for(lambda: ("center_freq", 7_700_000) in [s[:2] for s in dongle.settings],
             "the frequency, sent last, applied")
    settings = [setting[:2] for setting in dongle.settings]
    assert settings.index(("direct_sampling", 1)) < settings.index(("center_freq", 7_700_000))
    assert ("bias_tee", True) in settings


def test_commands_reach_the_dongle_and_the_rest_are_ignored(served):
    fg, sink = served("rtl?sim=1", frequency=100e6)
    dongle = next(b for b in fg.blocks if type(b).__name__ == "RtlSdrSource").driver
    with socket.create_connection(("127.0.0.1", sink.port)) as c:
        greeting = recv_exactly(c, 12)
        assert greeting[:4] == b"RTL0" and struct.unpack(">II", greeting[4:]) == (5, 29)
        for code, value in [(0x01, 101_100_000), (0x03, 1), (0x04, 297), (0x05, 5),
                            (0x0e, 1), (0x06, 0x10005), (0x02, 1_024_000)]:
            c.sendall(struct.pack(">BI", code, value))
        assert len(recv_exactly(c, 65536)) == 65536  # cu8 flows
        wait_for(lambda: ("bias_tee", True) in [(n, v) for n, v, _ in dongle.settings],
                 "the bias tee command applied")
    names = [(n, v) for n, v, _ in dongle.settings]
    assert ("center_freq", 101_100_000) in names and ("gain", 29.7) in names
    assert ("freq_correction", 5) in names and ("sample_rate", 1_024_000) in names
    assert any("if_gain" in x for x in sink.ignored)
    assert not any("sample rate" in x for x in sink.ignored)


def test_a_clients_sample_rate_reaches_the_dongle_and_the_stream_says_so(served):
    """SDR++ and GQRX ask for the rate their user chose: the dongle takes it, as with rtl_tcp,
    and the stream is tagged with it (before, the server ignored it and the client scaled
    every frequency wrong)."""
    fg, sink = served("rtl?sim=1", frequency=100e6)
    source = next(b for b in fg.blocks if type(b).__name__ == "RtlSdrSource")
    rx = Flowgraph()
    client = RtlTcpSource(100e6, rate=1.024e6, port=sink.port)
    got = VectorSink()
    rx.connect(client, Head(300_000), got)
    rx.run()
    assert ("sample_rate", 1_024_000) in [(n, v) for n, v, _ in source.driver.settings]
    assert source.sample_rate == 1.024e6 and len(got.data) == 300_000
    wait_for(lambda: sink._rate == 1.024e6, "the rx_rate tag reached the server")
    assert not any("sample rate" in x for x in sink.ignored)
    rates = [r["counters"] for r in fg.stats() if r["block"] == source.name][0]
    assert rates["samples_dropped"] == 0


def test_a_graph_that_depends_on_the_rate_refuses_a_new_one():
    """Outside ``serve``, filters were designed for the rate the graph started with: a new
    rate is refused with the reason, and the stream goes on."""
    from sdrflow.blocks import RtlSdrSource
    from sdrflow.testing import StandInDongle

    with pytest.raises(ValueError, match="a new rate needs a new graph"):
        RtlSdrSource(100e6, driver=StandInDongle()).set_sample_rate(1.024e6)
    source = RtlSdrSource(100e6, driver=StandInDongle(), rate_changes=True)
    with pytest.raises(ValueError, match="225001–300000 or 900001–3200000"):
        source.set_sample_rate(500e3)


def test_one_client_at_a_time_the_next_waits(served):
    fg, sink = served("sim:band", frequency=100e6)
    first = socket.create_connection(("127.0.0.1", sink.port))
    assert recv_exactly(first, 12)[:4] == b"RTL0"
    second = socket.create_connection(("127.0.0.1", sink.port))
    second.settimeout(0.5)
    with pytest.raises(socket.timeout):
        second.recv(12)  # queued behind the first, as with rtl_tcp
    first.close()
    second.settimeout(30)
    assert recv_exactly(second, 12)[:4] == b"RTL0"
    second.close()
    wait_for(lambda: sink.clients == 2, "both clients served")


def test_a_client_that_does_not_read_makes_counted_drops_with_a_bounded_queue(served):
    fg, sink = served("sim", frequency=98.5e6)
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.connect(("127.0.0.1", sink.port))
    wait_for(lambda: sink.counters()["samples_dropped"] > 0, "drops for a stalled client")
    assert sink.counters()["queued_bytes"] <= sink._limit
    c.close()


def test_lost_server_fails_the_client_run(served):
    fg, sink = served("sim", frequency=98.5e6, seconds=0.3)
    rx = Flowgraph()
    rx.connect(RtlTcpSource(98.5e6, port=sink.port, timeout=5), VectorSink())
    with pytest.raises(BlockError, match="rtl_tcp closed the connection"):
        rx.run()


def test_serve_command_binds_loopback_and_says_so():
    p = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "serve", "--source", "sim",
                          "--port", "0", "--seconds", "0.2"], stderr=subprocess.PIPE, text=True)
    _, err = finish(p, 120)
    assert p.returncode == 0, err
    assert "as rtl_tcp on 127.0.0.1:" in err


def test_rtl_tcps_command_line_works_as_it_is(served):
    """rtl_tcp -a … -p … -f … -P 2 -d 0 -T: the ppm, the device and the bias tee reach the
    dongle; -T on a simulation is refused, as it names a dongle."""
    p = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "serve", "--source", "rtl?sim=1",
                          "-a", "127.0.0.1", "-p", "0", "-f", "98.5M", "-P", "2", "-d", "0", "-T",
                          "--seconds", "0.2"], stderr=subprocess.PIPE, text=True)
    _, err = finish(p, 120)
    assert p.returncode == 0 and "Serving rtl:0?sim=1&ppm=2&bias=1 as rtl_tcp on 127.0.0.1:" \
        in err, err
    fg, _ = served("rtl:0?sim=1&ppm=2&bias=1", seconds=0.2)
    fg.wait()
    settings = [setting[:2] for setting in fg.blocks[0].driver.settings]
    assert ("freq_correction", 2) in settings and ("bias_tee", True) in settings
    p = subprocess.run([sys.executable, "-m", "sdrflow.cli", "serve", "--source", "sim", "-T"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "-P and -T: for a dongle, on this host or behind" in p.stderr


def test_after_a_clients_retune_the_server_sends_nothing_from_before_it(served):
    # A sweep over the served band, skipping only a local dongle's 10 ms after each hop: the
    # samples the server held from before a hop went out anyway, and it found the previous
    # hop's stations again (88.75, 90.25, 93.65, 97.15 MHz). Now they are counted, not sent.
    import numpy as np

    from sdrflow.cli.scan import build as sweep
    from sdrflow.cli.stations import find_stations

    _, sink = served("sim:fmband", frequency=98.7e6)
    rows = []
    fg, sweeper = sweep(f"rtl_tcp:127.0.0.1:{sink.port}", 88e6, 99.4e6, 25e3, 1.0, 2.4e6, 0.2, 1,
                        None, lambda t, lo, hi, step, samples, db: rows.append((lo, step, db)))
    sweeper.settle = 0.01
    fg.run()
    freqs = [lo + (k + 0.5) * step for lo, step, db in sorted(rows) for k in range(len(db))]
    db = [v for _, _, values in sorted(rows) for v in values]
    found, _ = find_stations(np.array(freqs), np.array(db), 10)
    assert [f for f, _ in found] == [88.3e6, 91.7e6, 95.2e6, 98.5e6, 98.9e6]
    assert sink.counters()["samples_stale"] > 0


def test_a_client_that_fell_behind_gets_less_from_before_a_retune_than_the_settle():
    """A client whose graph stalls (kernels loading, a slow block) stops reading; behind it
    the server's queue and the sockets' buffers fill with seconds of samples. At a retune the
    server drops its queue and what the dongle made before it, the client what its socket
    holds, and the server's send buffer is small: what comes from the old frequency after
    the client's ``rx_freq`` tag is less than ``retune_settle``, which sweeps skip. Before,
    the kernel's buffers held 0.38–0.75 s of it, and a sweep over rtl_tcp found ghosts."""
    import threading

    import numpy as np

    from sdrflow import COMPLEX64, Block, Port
    from sdrflow.blocks import RtlSdrSource, RtlTcpServerSink
    from sdrflow.testing import StandInDongle

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "blocks"))
    from test_rtl_sdr_source import Tuned  # every sample says where the dongle was tuned

    dongle = RtlSdrSource(100e6, driver=StandInDongle(air=Tuned))
    server = RtlTcpServerSink(0, controls={"frequency"})
    srv = Flowgraph(chunk=16384)
    srv.connect(dongle, server)
    srv.connect((server, "ctrl"), (dongle, "ctrl"))

    class Stall(Block):
        """Holds the client's graph, once, until the dongle is 0.5 s ahead of the client."""

        inputs, outputs, passthrough = [Port("in", COMPLEX64)], [Port("out", COMPLEX64)], True
        armed, held = threading.Event(), threading.Event()

        def work(self, x):
            if self.armed.is_set() and not self.held.is_set():
                wait_for(lambda: dongle.counters()["samples_delivered"] - client.samples
                         >= 1_200_000, "the client 0.5 s behind")
                self.held.set()
            return x

    client = RtlTcpSource(100e6, port=0)
    sink = VectorSink()
    cli = Flowgraph(chunk=16384)
    cli.connect(client, Head(4_800_000), Stall(), sink)
    srv.start()
    try:
        client.port = server.port
        cli.start()
        wait_for(lambda: client.samples > 240_000, "the stream flowing")
        Stall.armed.set()
        wait_for(Stall.held.is_set, "the stall")
        cli.post(client, "ctrl", {"frequency": 150e6})
        cli.wait()
    finally:
        cli.stop()
        srv.stop()
        srv.wait()
    tuned = np.where(sink.data.real < 0, 100, 150)  # MHz
    tag = [t for t in sink.tags if t.key == "rx_freq"][-1]
    assert tag.value == 150e6 and set(tuned[:tag.offset]) == {100}
    stale = int(np.argmax(tuned[tag.offset:] != 100))
    assert 0 < stale < RtlTcpSource.retune_settle * 2.4e6, stale
    assert set(tuned[tag.offset + stale:]) == {150}
    assert client.counters()["samples_stale"] > 0 and server.counters()["samples_stale"] > 0
