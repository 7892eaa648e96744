"""The broadcast FM receiver on the simulated station, as a library call and as a command."""
import importlib.util
import signal
import socket
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest


from sdrflow import BlockError, Flowgraph
from sdrflow.blocks import FMStationSource, VectorSink, WBFMReceiver

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from audio import finish, sinad_db, tone_frequency  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "flowgraphs" / "fm_receiver.py"


def receive(cnr_db, seconds=2.0, tones=(1000.0, 3000.0), levels=(0.5, 0.3), offset=0.0):
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(FMStationSource(cnr_db=cnr_db, seconds=seconds, tones=tones, levels=levels,
                               offset=offset, seed=11),
               WBFMReceiver(), sink)
    fg.run()
    assert sink.rate_seen == pytest.approx(48e3)
    return sink.data[int(0.2 * 48e3):]  # filters settle


def test_recovers_the_tones_at_30_db_cnr():
    audio = receive(30.0)
    assert sinad_db(audio, 48e3, (1000, 3000)) >= 40
    assert tone_frequency(audio, 48e3) == pytest.approx(1000, abs=1)


def test_recovers_a_single_tone_frequency_within_1_hz():
    audio = receive(30.0, tones=(1234.0,), levels=(1.0,))
    assert tone_frequency(audio, 48e3) == pytest.approx(1234, abs=1)
    assert sinad_db(audio, 48e3, (1234,)) >= 40


def test_sinad_falls_with_cnr():
    # Below the FM threshold the audio degrades: the measurement is physical, not a constant.
    assert sinad_db(receive(8.0, seconds=1.0), 48e3, (1000, 3000)) < 35


def load_script():
    spec = importlib.util.spec_from_file_location("fm_receiver", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_builds_and_writes_a_wav(tmp_path):
    out = tmp_path / "fm.wav"
    fg = load_script().build(output=str(out), seconds=1.0)
    fg.run()
    with wave.open(str(out)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getnframes()) == (48000, 1, 48000)
        pcm = np.frombuffer(w.readframes(48000), "<i2").astype(float)
    assert tone_frequency(pcm[9600:], 48e3) == pytest.approx(1000, abs=1)


def test_script_reads_a_cu8_recording(tmp_path):
    # Write the simulated station as rtl_sdr would, then receive it from the file.
    from sdrflow.blocks import FileSink
    rec = tmp_path / "station.cu8"
    fg = Flowgraph()
    fg.connect(FMStationSource(seconds=1.0, seed=2), FileSink(str(rec), format="cu8"))
    fg.run()
    out = tmp_path / "fm.wav"
    load_script().build(source=str(rec), output=str(out), seconds=0).run()
    with wave.open(str(out)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)
    assert len(pcm) == 48000
    assert sinad_db(pcm[9600:], 48e3, (1000, 3000)) >= 40


def test_script_refuses_bad_options(tmp_path):
    mod = load_script()
    with pytest.raises(ValueError, match="multiple of 240 kHz"):
        mod.build(rate=2.5e6)
    with pytest.raises(ValueError, match="no such file"):
        mod.build(source=str(tmp_path / "missing.cu8"))


def sdrflow(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sdrflow.cli", *args], capture_output=True,
                          text=True, timeout=120, **kw)


def test_command_line_help_lists_the_options():
    p = sdrflow("run", str(SCRIPT), "--help")
    assert p.returncode == 0
    for option in ("--source", "--output", "--seconds", "--tau", "--cnr-db", "--stats"):
        assert option in p.stdout


def test_command_line_runs_with_stats_and_reports_bad_input(tmp_path):
    out = tmp_path / "a.wav"
    p = sdrflow("run", str(SCRIPT), "--output", str(out), "--seconds", "0.5", "--stats")
    assert p.returncode == 0, p.stderr
    assert "FMDemod" in p.stderr and "wall time" in p.stderr  # stdout stays free for audio
    p = sdrflow("run", str(SCRIPT), "--source", str(tmp_path / "none.cu8"))
    assert p.returncode == 2 and "no such file" in p.stderr and "Traceback" not in p.stderr


def test_ctrl_c_stops_cleanly_and_leaves_a_valid_wav(tmp_path):
    out = tmp_path / "long.wav"
    p = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "run", str(SCRIPT), "--output",
                          str(out), "--seconds", "600"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and (not out.exists() or out.stat().st_size < 100_000):
        time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    _, err = finish(p, 30)
    assert p.returncode == 130, err
    assert "Traceback" not in err
    with wave.open(str(out)) as w:
        frames = w.getnframes()
        assert frames > 0 and w.getframerate() == 48000
    assert out.stat().st_size == 80 + 2 * frames


def test_script_reports_a_missing_dongle_or_server_clearly(tmp_path):
    # The device or connection failed, not the command: 1, as listen and record give.
    p = sdrflow("run", str(SCRIPT), "--source", "rtl", "--output", str(tmp_path / "x.wav"))
    assert p.returncode == 1 and "no RTL-SDR found" in p.stderr and "Traceback" not in p.stderr
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = sdrflow("run", str(SCRIPT), "--source", f"rtl_tcp:127.0.0.1:{port}", "--output",
                str(tmp_path / "x.wav"))
    assert p.returncode == 1 and "cannot connect to rtl_tcp" in p.stderr, p.stderr
    assert "Traceback" not in p.stderr
    # What the graph refuses at start for the command's own sake is still 2 (the output a folder).
    p = sdrflow("run", str(SCRIPT), "--seconds", "0.1", "--output", str(tmp_path))
    assert p.returncode == 2 and "WAVSink" in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_script_receives_from_rtl_tcp(tmp_path):
    # The simulated station as rtl_tcp would stream it, from a fake rtl_tcp server.
    sys.path.insert(0, str(ROOT / "tests" / "blocks"))
    from test_rtl_tcp_source import FakeRtlTcp

    from sdrflow.blocks import FileSink
    rec = tmp_path / "station.cu8"
    fg = Flowgraph()
    fg.connect(FMStationSource(seconds=1.0, seed=5), FileSink(str(rec), format="cu8"))
    fg.run()
    server = FakeRtlTcp(np.fromfile(rec, np.uint8), pieces=65536)
    out = tmp_path / "fm.wav"
    fg = load_script().build(source=f"rtl_tcp:127.0.0.1:{server.port}", output=str(out), seconds=0)
    with pytest.raises(BlockError, match="rtl_tcp closed the connection after 2400000 samples"):
        fg.run()  # the server leaving fails the run; the WAV file keeps all it had
    assert (0x01, 98500000) in server.commands and (0x03, 0) in server.commands
    with wave.open(str(out)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)
    assert abs(len(pcm) - 48000) <= 1
    assert sinad_db(pcm[9600:], 48e3, (1000, 3000)) >= 40
