"""How runs end: signals, exit codes, a start that fails half-way, a source whose device fails."""
import os
import signal
import subprocess
import sys
import textwrap
import wave

import numpy as np
import pytest
import zmq
from audio import finish, wait_for_audio

from sdrflow import Block, BlockError, Flowgraph, GraphError, Port, SourceFailed, FLOAT32
from sdrflow.blocks import VectorSink, ZMQPushSink, SignalSource

SCRIPT = textwrap.dedent('''
    from sdrflow import Flowgraph
    from sdrflow.blocks import SignalSource, Throttle, WAVSink

    def build(output: str = "out.wav"):
        fg = Flowgraph(chunk=4800)
        fg.connect(SignalSource(1000, rate=48000, real=True), Throttle(), WAVSink(output))
        return fg
''')


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129),
                                       (signal.SIGINT, 130)])
def test_a_signal_stops_the_run_with_its_code_and_a_valid_wav(tmp_path, sig, code):
    script, out = tmp_path / "tone.py", tmp_path / "tone.wav"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "run", str(script),
                             "--output", str(out)], stderr=subprocess.PIPE, text=True)
    wait_for_audio(out, proc)
    proc.send_signal(sig)
    _, err = finish(proc, 60)
    assert proc.returncode == code, err
    assert "Traceback" not in err
    with wave.open(str(out)) as w:  # header agrees with the data on disk
        frames = w.getnframes()
        assert frames > 4800
        assert os.path.getsize(out) == 80 + 2 * frames  # header with its reserved ds64 room


# A sitecustomize that presses Ctrl-C (a real SIGINT) just as one module starts to import.
CTRL_C_ON_IMPORT = """
import os, signal, sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
"""


@pytest.mark.parametrize("module", ["numpy", "numba", "sdrflow.blocks.wbfm_receiver"])
def test_ctrl_c_during_start_up_exits_130_without_a_traceback(tmp_path, module):
    (tmp_path / "sitecustomize.py").write_text(CTRL_C_ON_IMPORT.format(module=module))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path),
                                                                  os.environ.get("PYTHONPATH")])))
    script = os.path.join(os.path.dirname(__file__), "..", "flowgraphs", "fm_receiver.py")
    p = subprocess.run([sys.executable, "-m", "sdrflow.cli", "run", script, "--seconds", "0.1",
                        "--output", str(tmp_path / "fm.wav")], env=env, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 130, p.stderr
    assert "Traceback" not in p.stderr and "stopped" in p.stderr


class Explodes(Block):
    inputs = [Port("in", FLOAT32)]

    def start(self, rate):
        raise ValueError("cannot start")

    def work(self, x):
        pass


def test_a_failed_start_unbinds_what_had_started():
    address = "tcp://127.0.0.1:5791"
    fg = Flowgraph()
    src = SignalSource(1000, rate=48000, real=True)
    fg.connect(src, ZMQPushSink(address))
    fg.connect(src, Explodes())
    with pytest.raises(GraphError, match="cannot start"):
        fg.start()
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.PULL)
    sock.bind(address)  # free again: would raise "Address already in use"
    sock.close(0)


class Unplugged(Block):
    """Sends three chunks, then its device goes away."""

    outputs = [Port("out", FLOAT32)]

    def output_rate(self, rate):
        return 1e3

    def start(self, rate):
        self.sent = 0

    def work(self, n):
        if self.sent == 3:
            raise SourceFailed("device unplugged (USB error -4)")
        self.sent += 1
        out = self.buffer(n, np.float32)
        out[:] = self.sent
        return out


def test_a_failed_source_ends_the_stream_sinks_keep_everything_and_the_run_fails():
    fg = Flowgraph(chunk=100)
    sink = VectorSink()
    src = Unplugged()
    fg.connect(src, sink)
    with pytest.raises(BlockError, match=r"Unplugged#\d+ failed: SourceFailed: device unplugged"):
        fg.run()
    np.testing.assert_array_equal(sink.data, np.repeat([1, 2, 3], 100))
