"""Every command in the README's shell blocks runs here, as written, and says what the README
says it says.

Where a command needs what CI has not, the test supplies the nearest real thing and nothing
else changes: a dongle is the stand-in dongle at pyrtlsdr's boundary (``--source rtl?sim=1``:
real rate, async reader), the sound card a simulated card played in real time (a
``sounddevice`` module first on the path), ``../shared/data/real`` is SDRFLOW_REAL_DATA, a pipe
into ``aplay`` or ``dot`` is read by the test, and timers longer than a few seconds are
shortened (``--seconds 60`` → 2, ``-i 10s -e 1m`` → ``-i 1s -e 3s``). Commands that run until
stopped (``--seconds 0``, a live listen, ``view``) are stopped with Ctrl-C once they have shown
they work, and must exit 130. The two set-up commands are what ``.ci/run`` runs (the tests
themselves) and, for the first, its ``sdrflow run`` part."""
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from audio import finish

ROOT = Path(__file__).resolve().parents[1]
DONGLE_COMMANDS = ("listen", "view", "record", "scan", "spectrum", "serve")


def readme_commands():
    """(command, documented output lines) for every command in the README's sh blocks."""
    text = (ROOT / "README.md").read_text()
    found = []
    for block in re.findall(r"```(?:sh|bash)\n(.*?)```", text, re.S):
        lines = block.splitlines()
        prompts = any(line.startswith("$ ") for line in lines)
        current, joined = None, ""
        for line in lines:
            if prompts:
                if line.startswith("$ "):
                    current = [line[2:].strip(), []]
                    found.append(current)
                elif current and line.strip():
                    current[1].append(line.strip())
                continue
            if line.startswith("#"):
                if current and not joined:
                    current[1].append(line[1:].strip())
                continue
            if not line.strip():
                continue
            joined += line.strip()
            if joined.endswith("\\"):
                joined = joined[:-1] + " "
                continue
            current = [re.sub(r"\s+#\s.*$", "", joined).strip(), []]
            found.append(current)
            joined = ""
    return [tuple(c) for c in found]


COMMANDS = readme_commands()


def test_the_readme_has_the_commands_this_test_knows():
    assert len(COMMANDS) >= 25
    assert all(c.startswith(("sdrflow ", "python3 -m venv")) for c, _ in COMMANDS), \
        [c for c, _ in COMMANDS if not c.startswith(("sdrflow ", "python3 -m venv"))]


FAKE_CARD = textwrap.dedent('''
    """A sound card for the README test: sounddevice's OutputStream played in real time."""
    import threading
    import numpy as np

    class OutputStream:
        def __init__(self, samplerate, channels, dtype, device=None, callback=None, blocksize=0, **kw):
            self.rate, self.channels, self.callback = samplerate, channels, callback
            self._stop = threading.Event()
            self.thread = threading.Thread(target=self._play, daemon=True)

        def start(self):
            self.thread.start()

        def _play(self):
            out = np.zeros((480, self.channels), np.float32)
            while not self._stop.wait(480 / self.rate):
                self.callback(out, 480, None, None)

        def stop(self):
            self._stop.set()
            self.thread.join()

        def close(self):
            pass
''')


def prepare(command, real_data, tmp_path):
    """The command as this machine can run it: (argv, pipe target or None, endless?)."""
    pipe = None
    if " | " in command:
        command, pipe = command.split(" | ", 1)
    command = command.replace("../shared/data/real", str(real_data))
    argv = shlex.split(command)
    sub = argv[1] if len(argv) > 1 else ""
    uses_rtl = "--source" in argv and argv[argv.index("--source") + 1] == "rtl"
    if uses_rtl:
        argv[argv.index("--source") + 1] = "rtl?sim=1"
    elif sub in DONGLE_COMMANDS and "--source" not in argv:
        argv += ["--source", "rtl?sim=1"]
    for flag, long_, short in (("--seconds", 3.0, "2"),):
        if flag in argv and float(argv[argv.index(flag) + 1]) > long_:
            argv[argv.index(flag) + 1] = short
    if "-e" in argv:
        argv[argv.index("-e") + 1] = "3s"
    if "-i" in argv and argv[argv.index("-i") + 1] == "10s":
        argv[argv.index("-i") + 1] = "1s"
    seconds = argv[argv.index("--seconds") + 1] if "--seconds" in argv else None
    endless = seconds == "0" or sub == "view" or (sub == "listen" and seconds is None) \
        or (sub == "run" and uses_rtl and seconds is None)
    return argv, pipe, endless


def run_endless(argv, env, cwd, ready):
    """Start, wait until ``ready(stdout_bytes, stderr_text)`` holds (at most 60 s), Ctrl-C."""
    p = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", *argv[1:]], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, cwd=cwd)
    out, err = b"", ""
    os.set_blocking(p.stdout.fileno(), False)
    os.set_blocking(p.stderr.fileno(), False)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and p.poll() is None and not ready(out, err):
        time.sleep(0.1)
        out += p.stdout.read() or b""
        err += (p.stderr.read() or b"").decode(errors="replace")
    assert p.poll() is None, f"{argv} ended early ({p.returncode}): {err}"
    assert ready(out, err), f"{argv} did not get going: {err}"
    p.send_signal(signal.SIGINT)
    rest_out, rest_err = finish(p, 60)
    return p.returncode, out + rest_out, err + rest_err.decode(errors="replace")


def documented(output, said):
    """Each line the README shows under a command, in what the command printed."""
    for line in said:
        if line.startswith(("…", "{")) is False and re.match(r"^[\d-]", line):
            continue  # a date, a time or a measurement: different on every run
        if line.startswith("{"):
            shown = json.loads(line)
            printed = [json.loads(x) for x in output.splitlines() if x.startswith("{")]
            assert shown in printed, (line, output[-2000:])
        elif line.startswith("…"):
            labels = [part.split(":")[0].strip() for part in line[1:].split(";")]
            for label in labels:
                words = re.sub(r"\d[\d.]*", "", label).split()
                assert all(w in output for w in words), (label, output[-2000:])
        else:
            label = re.split(r"\s{2,}|:\s", line)[0].strip()
            assert label in output, (label, output[-2000:])


@pytest.mark.parametrize("command, said", COMMANDS, ids=[c[:60] for c, _ in COMMANDS])
def test_readme_command(command, said, real_data, tmp_path):
    if command.startswith("python3 -m venv"):
        if "pytest" in command:
            return  # the test command: .ci/run runs it, and it is running now
        command = command.rsplit("&& ", 1)[1]  # installed already: the main job itself
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "sounddevice.py").write_text(FAKE_CARD)
    (tmp_path / "flowgraphs").symlink_to(ROOT / "flowgraphs")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "fake"), str(ROOT / "src")]))
    argv, pipe, endless = prepare(command, real_data, tmp_path)
    if command.startswith("sdrflow info"):  # what `record` wrote just before in the README
        subprocess.run([sys.executable, "-m", "sdrflow.cli", "record", "--source", "sim", "-f", "98.5M",
                        "-o", "station.sigmf-meta", "--seconds", "2"], cwd=tmp_path, env=env, check=True,
                       capture_output=True, timeout=300)
    if endless:
        if argv[1] == "view":
            page = {}

            def ready(out, err):  # the page is served: fetch it while the command runs
                found = re.search(r"(http://\S+)", err)
                if found and not page:
                    try:
                        status = urllib.request.urlopen(found.group(1), timeout=30).status
                    except urllib.error.URLError:  # printed, not listening yet
                        return False
                    page.update(url=found.group(1), status=status)
                    if "--bind" in argv:  # reachable from elsewhere: not without the token
                        try:
                            urllib.request.urlopen(page["url"].split("?")[0], timeout=30)
                        except urllib.error.HTTPError as e:
                            page["bare"] = e.code
                return bool(page)
        elif argv[1] == "listen":
            def ready(out, err):  # half a second of audio came out (to stdout or the card)
                return len(out) > 48000 or ("-o" not in argv and "Tuned" in err and "frames" not in err
                                            and time.sleep(2) is None)
        else:
            def ready(out, err, t0=time.monotonic()):  # a receiver of a dongle: let it receive
                return time.monotonic() - t0 > 8
        code, out, err = run_endless(argv, env, tmp_path, ready)
        assert code == 130, (command, err[-3000:])
        if argv[1] == "view":
            assert page["status"] == 200
            if "--bind" in argv:  # reachable from elsewhere: only with the token
                assert "token=" in page["url"] and page.get("bare") == 403
        if pipe and pipe.startswith("aplay"):
            assert len(out) > 48000 and len(out) % 2 == 0  # S16LE mono at 48 kHz
        return
    p = subprocess.run([sys.executable, "-m", "sdrflow.cli", *argv[1:]], capture_output=True,
                       text=True, timeout=600, cwd=tmp_path, env=env)
    assert p.returncode == 0, (command, p.stderr[-3000:])
    if pipe and pipe.startswith("dot"):
        assert p.stdout.startswith("digraph") and "->" in p.stdout
    for written in re.findall(r"(?:-o|--png) (\S+\.(?:wav|cu8|csv|png|sigmf-meta))", command):
        assert (tmp_path / written).stat().st_size > 0, written
    documented(p.stdout + p.stderr, said)
