"""The sdrflow command: catalogue and errors."""
import subprocess
import sys

import sdrflow.blocks as catalogue


def sdrflow(*args):
    return subprocess.run([sys.executable, "-m", "sdrflow.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_blocks_lists_the_catalogue_and_one_entry():
    p = sdrflow("blocks")
    assert p.returncode == 0
    for name in catalogue.__all__:
        assert name in p.stdout
    p = sdrflow("blocks", "FreqXlatingFilter")
    assert p.returncode == 0
    assert "Signature: complex64 -> complex64" in p.stdout and "decimation" in p.stdout


def test_unknown_block_command_and_script_are_clear_errors(tmp_path):
    p = sdrflow("blocks", "Nope")
    assert p.returncode == 2 and "no block 'Nope'" in p.stderr
    p = sdrflow("frobnicate")
    assert p.returncode == 2 and "unknown command" in p.stderr
    for command in ("run", "graph"):
        p = sdrflow(command, str(tmp_path / "missing.py"))
        assert p.returncode == 2 and "error: no such flowgraph script" in p.stderr
        empty = tmp_path / "empty.py"
        empty.write_text("x = 1\n")
        p = sdrflow(command, str(empty))
        assert p.returncode == 2 and "has no build(**params)" in p.stderr


def test_a_reader_that_is_gone_ends_a_command_quietly():
    """``sdrflow blocks | head -2``: standard output's reader has left (here before the first
    line), and the command ends with exit code 0 and no traceback."""
    import os

    for args in (["blocks"], ["graph", "flowgraphs/fm_receiver.py"]):
        r, w = os.pipe()
        os.close(r)
        p = subprocess.run([sys.executable, "-m", "sdrflow.cli", *args], stdout=w,
                           stderr=subprocess.PIPE, text=True, timeout=120,
                           cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        os.close(w)
        assert p.returncode == 0 and "Traceback" not in p.stderr, (args, p.stderr)


def test_a_refusal_at_start_has_the_same_code_in_every_command(tmp_path):
    """1 when a device failed (no dongle), 2 for what the user asked (an output that is a
    folder, a port already taken), whichever command refused it; before, every command but
    ``run`` exited 1 for both."""
    import socket

    folder = tmp_path / "a_folder.wav"
    folder.mkdir()
    script = tmp_path / "band.py"
    script.write_text("from sdrflow import Flowgraph\n"
                      "from sdrflow.blocks import BandSource, WebSink\n\n"
                      "def build():\n"
                      "    fg = Flowgraph()\n"
                      "    fg.connect(BandSource(2_400_000, seconds=1), WebSink())\n"
                      "    return fg\n")
    taken = socket.create_server(("127.0.0.1", 0))
    port = str(taken.getsockname()[1])
    try:
        cases = [
            (["listen", "--source", "sim", "-f", "98.5M", "-o", str(folder), "--seconds", "1"], 2),
            (["record", "--source", "sim", "-o", str(folder), "--seconds", "1"], 2),
            (["serve", "--source", "sim:band", "--port", port, "--seconds", "1"], 2),
            (["view", "--port", port, "--seconds", "1"], 2),
            (["run", str(script), "--web", port], 2),
            (["listen", "--source", "rtl", "-f", "98.5M", "-o", "-", "--seconds", "1"], 1),
            (["record", "--source", "rtl", "-f", "98.5M", "-o", str(tmp_path / "x.cu8"),
              "--seconds", "1"], 1),
            (["spectrum", "--source", "rtl", "-f", "100M", "-o", str(tmp_path / "x.png"),
              "--seconds", "1"], 1),
        ]
        for args, code in cases:
            p = sdrflow(*args)
            assert p.returncode == code and "error:" in p.stderr, (args, p.returncode, p.stderr)
            assert "Traceback" not in p.stderr, (args, p.stderr)
    finally:
        taken.close()


def test_every_command_that_opens_a_dongle_takes_the_rtl_tools_letters_for_it(tmp_path):
    """-d (the dongle) and the ppm letter (-p; rtl_tcp's -P for serve): given with a source
    that is not a dongle, each command refuses them, saying why, before anything opens."""
    picture = str(tmp_path / "x.png")
    commands = {"listen": ["-f", "98.5M", "-o", "-"], "record": ["-n", "1k", "-o", "-"],
                "scan": ["-f", "99M:100M:10k", "-1"], "serve": ["--port", "0"],
                "stations": [], "spectrum": ["-o", picture], "view": ["--port", "0"]}
    for command, args in commands.items():
        ppm = "-P" if command == "serve" else "-p"
        p = sdrflow(command, "--source", "sim", *args, "-d", "1")
        assert p.returncode == 2 and "-d is for a dongle on this host, which --source sim" \
            in p.stderr, (command, p.stderr)
        p = sdrflow(command, "--source", "sim", *args, ppm, "5")
        assert p.returncode == 2 and f"{ppm}" in p.stderr.split(": for a dongle")[0] \
            and "which --source sim is not" in p.stderr, (command, p.stderr)
    p = sdrflow("spectrum", "--source", "rtl?sim=1", "-f", "98.5M", "-p", "3", "-d", "0", "-o",
                picture, "--seconds", "0.2")
    assert p.returncode == 0 and "wrote" in p.stdout + p.stderr, p.stderr
