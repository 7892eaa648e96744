"""One flowgraph across processes and hosts: via= edges, the cut, --processes, --part."""
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import wave
from pathlib import Path

import numpy as np
import pytest
from audio import finish, wait_for_audio

from sdrflow import Block, Flowgraph, GraphError, Port, FLOAT32
from sdrflow.tags import Tag
from sdrflow.blocks import FIRFilter, MessageSink, NullSink, OOKDemod, VectorSink, VectorSource
from sdrflow.split import plan

ROOT = Path(__file__).resolve().parents[1]
RUN = [sys.executable, "-m", "sdrflow.cli", "run"]

SCRIPT = textwrap.dedent('''
    from sdrflow import Block, Flowgraph, Port, FLOAT32
    from sdrflow.blocks import Head, MultiplyConst, SignalSource, Throttle, WAVSink

    class Explodes(Block):
        """Passes floats on, then fails after ``after`` items."""
        inputs = [Port("in", FLOAT32)]
        outputs = [Port("out", FLOAT32)]

        def __init__(self, after):
            self.after, self.seen = after, 0

        def work(self, x):
            self.seen += len(x)
            if self.after and self.seen > self.after:
                raise RuntimeError("the detonator went off")
            out = self.buffer(len(x), x.dtype)
            out[:] = x
            return out

    def build(output: str = "out.wav", fail_after: int = 0, seconds: float = 0.0):
        fg = Flowgraph(chunk=4800)
        blocks = [SignalSource(1000, rate=48000, real=True), Throttle(), Explodes(fail_after),
                  MultiplyConst(0.5), WAVSink(output)]
        if seconds:
            blocks.insert(1, Head(int(seconds * 48000)))
        fg.connect(*blocks)
        return fg
''')


def _pids(proc, n):
    """The children's pids, from the supervisor's "process i (pid N)" lines."""
    pids = []
    while len(pids) < n:
        line = proc.stderr.readline()
        assert line, "the supervisor ended before starting its processes"
        m = re.match(r"process (\d+) \(pid (\d+)\)", line)
        if m:
            pids.append(int(m.group(2)))
    return pids


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie has ended; only its parent's wait is due
        return f.read().split(")")[-1].split()[0] != "Z"


def _wait_gone(pids):
    """Every pid ends (waited on as a condition; the bound only stops a hung test)."""
    for _ in range(1200):
        if not any(_alive(p) for p in pids):
            return
        threading.Event().wait(0.05)
    raise AssertionError(f"left behind: {[p for p in pids if _alive(p)]}")


# -- via= ---------------------------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("via", ["ipc", "tcp"])
def test_an_edge_via_zeromq_carries_items_tags_rate_and_end_exactly(via):
    x = np.random.default_rng(3).standard_normal(50_000).astype(np.float32)
    taps = np.array([0.25, 0.5, 0.25], np.float32)
    runs = []
    for how in (None, "ipc" if via == "ipc" else f"tcp://127.0.0.1:{_free_port()}"):
        fg = Flowgraph(chunk=3000)
        src = VectorSource(x, rate=48000, tags=[Tag(10, "mark", 1), Tag(49_999, "last", 2)])
        fir, sink = FIRFilter(taps), VectorSink()
        fg.connect(src, fir, via=how)
        fg.connect(fir, sink)
        fg.run()
        runs.append((sink.data, [(t.offset, t.key, t.value) for t in sink.tags], fg))
    (direct, direct_tags, _), (carried, carried_tags, fg) = runs
    np.testing.assert_array_equal(carried, direct)
    assert carried_tags == direct_tags == [(10, "mark", 1), (49_999, "last", 2)]
    counters = {r["block"].split("#")[0]: r.get("counters", {}) for r in fg.stats()}
    assert counters["ZMQPushSink"]["items_sent"] == 50_000
    assert counters["ZMQPullSource"]["items_lost"] == 0


def test_via_refuses_what_it_cannot_carry():
    fg = Flowgraph()
    a, b, c = VectorSource(np.zeros(4, np.float32), rate=1), FIRFilter([1.0]), NullSink()
    with pytest.raises(GraphError, match="via must be"):
        fg.connect(a, b, via="udp://x")
    with pytest.raises(GraphError, match="two endpoints"):
        fg.connect(a, b, c, via="ipc")


# -- the cut ------------------------------------------------------------------------------------
class Heavy(Block):
    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", FLOAT32)]

    def __init__(self, cost):
        self.cost = cost

    def work(self, x):
        return x


def test_the_cut_balances_the_work_and_follows_the_stream():
    fg = Flowgraph()
    blocks = [VectorSource(np.zeros(8, np.float32), rate=1e6), Heavy(100), Heavy(100), Heavy(100),
              Heavy(100), NullSink()]
    fg.connect(*blocks)
    runs = plan(fg, 2)
    assert [len(r) for r in runs] == [3, 3]
    assert runs[0] + runs[1] == blocks  # runs of the topological order: streams only go forward
    # busiest run 1 + 200 + 16 (a stream of 4-byte items out, 4 a byte) beats two heavy blocks
    # in the middle (200 + 2·16)
    assert [len(r) for r in plan(fg, 3)] in ([3, 1, 2], [2, 1, 3])


def test_the_cut_keeps_blocks_joined_by_messages_together():
    fg = Flowgraph()
    src, ook, heavy, messages = (VectorSource(np.zeros(8, np.complex64), rate=250e3), OOKDemod(),
                                 Heavy(500), MessageSink())
    fg.connect(src, ook, Heavy(1), heavy, NullSink())
    fg.connect((ook, "bursts"), (messages, "in"))
    runs = plan(fg, 2)
    assert any(ook in r and messages in r for r in runs)
    with pytest.raises(GraphError, match="between 1 and the number of blocks"):
        plan(fg, 9)


# -- --processes --------------------------------------------------------------------------------
def test_the_fm_receiver_in_two_processes_gives_the_same_audio(tmp_path):
    script = ROOT / "flowgraphs" / "fm_receiver.py"
    one, two = tmp_path / "one.wav", tmp_path / "two.wav"
    subprocess.run(RUN + [str(script), "--output", str(one), "--seconds", "2"], check=True,
                   capture_output=True, timeout=300)
    p = subprocess.run(RUN + [str(script), "--output", str(two), "--seconds", "2", "--processes",
                              "2", "--stats"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert one.read_bytes() == two.read_bytes()  # sample-exact
    assert len(re.findall(r"^process \d \(pid", p.stderr, re.M)) == 2
    # one table of both processes' counters (worker column PROCESS/WORKER), nothing lost between
    assert re.search(r"^WAVSink#\d+\s+1/", p.stderr, re.M), p.stderr
    assert re.search(r"^FMStationSource#\d+\s+0/", p.stderr, re.M), p.stderr
    assert re.search(r"^\S*>1: items_unsent = 0$", p.stderr, re.M)
    assert re.search(r"^0>\S*: items_lost = 0$", p.stderr, re.M)


def _endless_tone(tmp_path, processes):
    """The endless tone script run in ``processes`` processes, once audio is being written:
    (the supervisor, every process's pid, the WAV file)."""
    script, out = tmp_path / "tone.py", tmp_path / "tone.wav"
    script.write_text(SCRIPT)
    proc = subprocess.Popen(RUN + [str(script), "--output", str(out), "--processes", str(processes)],
                            stderr=subprocess.PIPE, text=True)
    pids = _pids(proc, processes)
    wait_for_audio(out, proc)
    return proc, pids, out


@pytest.mark.parametrize("victim", [0, 1, 2])  # process 0 is the supervisor
def test_killing_any_process_ends_all_of_them(tmp_path, victim):
    proc, pids, _ = _endless_tone(tmp_path, 3)
    assert pids[0] == proc.pid
    os.kill(pids[victim], signal.SIGKILL)
    _wait_gone(pids)
    finish(proc, 60)
    assert proc.returncode == (-9 if victim == 0 else 1)


def test_a_block_error_in_one_process_stops_all_and_names_the_block(tmp_path):
    script = tmp_path / "tone.py"
    script.write_text(SCRIPT)
    p = subprocess.run(RUN + [str(script), "--output", str(tmp_path / "o.wav"), "--fail-after",
                              "48000", "--processes", "3"], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 1
    assert re.search(r"error: block Explodes#\d+ failed.*detonator", p.stderr), p.stderr
    assert "stopping the others" in p.stderr


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_to_the_supervisor_stops_every_process_and_sinks_flush(tmp_path, sig, code):
    proc, pids, out = _endless_tone(tmp_path, 2)
    proc.send_signal(sig)
    _, err = finish(proc, 120)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    _wait_gone(pids)
    with wave.open(str(out)) as w:
        assert os.path.getsize(out) == 80 + 2 * w.getnframes()


def test_a_finite_run_in_three_processes_ends_by_itself(tmp_path):
    script, out = tmp_path / "tone.py", tmp_path / "tone.wav"
    script.write_text(SCRIPT)
    p = subprocess.run(RUN + [str(script), "--output", str(out), "--seconds", "0.5",
                              "--processes", "3"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    with wave.open(str(out)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    assert len(pcm) == 24000
    expected = 0.5 * np.cos(2 * np.pi * 1000 * np.arange(24000) / 48000)
    assert np.max(np.abs(pcm / 32767 - expected)) < 1e-3


def test_processes_refuse_what_they_cannot_do(tmp_path):
    script = tmp_path / "tone.py"
    script.write_text(SCRIPT)
    p = subprocess.run(RUN + [str(script), "--processes", "9"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and "between 1 and the number of blocks (5)" in p.stderr
    p = subprocess.run(RUN + [str(script), "--processes", "2", "--part", "x"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "--processes runs the whole graph" in p.stderr


# -- --part -------------------------------------------------------------------------------------
def test_two_parts_on_two_processes_with_keys_give_the_unsplit_audio(tmp_path):
    script, keys = ROOT / "flowgraphs" / "fm_two_hosts.py", tmp_path / "keys"
    for name in ("dongle", "listener"):
        subprocess.run([sys.executable, "-m", "sdrflow.cli", "keygen", name, "--dir", str(keys)],
                       check=True, capture_output=True)
    whole, split = tmp_path / "whole.wav", tmp_path / "split.wav"
    subprocess.run(RUN + [str(script), "--output", str(whole), "--seconds", "1"], check=True,
                   capture_output=True, timeout=300)
    common = ["--keys", str(keys), "--seconds", "1", "--port", str(_free_port())]
    listener = subprocess.Popen(RUN + [str(script), "--part", "listener", "--output", str(split),
                                       "--stats"] + common, stderr=subprocess.PIPE, text=True)
    dongle = subprocess.run(RUN + [str(script), "--part", "dongle", "--stats"] + common,
                            capture_output=True, text=True, timeout=300)
    _, err = finish(listener, 300)
    assert dongle.returncode == 0 and listener.returncode == 0, dongle.stderr + err
    assert whole.read_bytes() == split.read_bytes()
    assert "FMStationSource" in dongle.stderr and "FMStationSource" not in err
    assert re.search(r"curve_denied = 0", dongle.stderr) and "items_lost = 0" in err


def test_a_part_without_its_keys_or_name_is_refused_with_the_fix(tmp_path):
    script = ROOT / "flowgraphs" / "fm_two_hosts.py"
    p = subprocess.run(RUN + [str(script), "--part", "dongle"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and "--part needs --keys DIR" in p.stderr
    p = subprocess.run(RUN + [str(script), "--part", "dongle", "--keys", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "dongle.key_secret is missing (sdrflow keygen dongle" in p.stderr
    p = subprocess.run(RUN + [str(script), "--part", "kitchen"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and "no part 'kitchen'; this script has dongle, listener" in p.stderr


def test_parts_that_feed_each_other_or_leave_blocks_out_are_refused():
    from sdrflow.cli.processes import part_graph

    fg = Flowgraph()
    a, b, c, d = VectorSource(np.zeros(4, np.float32), rate=1), Heavy(1), Heavy(1), NullSink()
    fg.connect(a, b, c, d)
    fg.part("one", a, c)
    with pytest.raises(GraphError, match="Heavy#\\d+, NullSink#\\d+ are in no part"):
        part_graph(fg, "one", "keys")
    fg.part("two", b, d)
    with pytest.raises(GraphError, match="form a loop"):
        part_graph(fg, "one", "keys")


def test_the_graph_command_draws_the_parts():
    script = str(ROOT / "flowgraphs" / "fm_two_hosts.py")
    dot = subprocess.run([sys.executable, "-m", "sdrflow.cli", "graph", script], check=True,
                         capture_output=True, text=True).stdout
    assert re.search(r'subgraph "cluster_dongle" \{ label="part dongle"; b0; b1; \}', dot), dot
    assert re.search(r'subgraph "cluster_listener" \{ label="part listener"; b2; b3; b4; b5; \}', dot)


def test_processes_refuse_a_graph_that_opened_a_socket_while_it_was_built():
    from sdrflow.blocks import Throttle, ZMQPushSink

    address = f"tcp://127.0.0.1:{_free_port()}"
    sender = Flowgraph(chunk=4800)
    tone = VectorSource(np.zeros(4800, np.complex64), rate=2.4e6, repeat=True)
    sender.connect(tone, Throttle(), ZMQPushSink(address, pass_tags=True))
    sender.start()
    try:  # the remote receiver learns the stream's type and rate in build(): a socket is open
        p = subprocess.run(RUN + [str(ROOT / "flowgraphs" / "remote_receiver.py"), "--address",
                                  address, "--processes", "2"], capture_output=True, text=True,
                           timeout=120)
    finally:
        sender.stop()
        sender.wait(30)
    assert p.returncode == 2
    assert re.search(r"ZMQPullSource#\d+ opened a socket while the graph was built", p.stderr), p.stderr


def test_a_block_that_cannot_start_in_a_child_is_reported_as_in_one_process(tmp_path):
    script = tmp_path / "tone.py"
    script.write_text(SCRIPT)
    out = tmp_path / "a-folder.wav"  # found only when the sink opens it, at start
    out.mkdir()
    p = subprocess.run(RUN + [str(script), "--output", str(out), "--seconds", "1", "--processes",
                              "3"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 2, p.stderr
    assert re.search(r"error: WAVSink#\d+ cannot start", p.stderr) and "Traceback" not in p.stderr
