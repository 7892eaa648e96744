"""`sdrflow record`, `info`, `devices` and `graph`, run as a user runs them."""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from sdrflow.cli.record import list_devices

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from audio import finish  # noqa: E402


def sdrflow(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sdrflow.cli", *args], capture_output=True,
                          text=True, timeout=300, **kw)


@pytest.mark.parametrize("ext, dtype, scale", [(".cu8", np.uint8, None), (".cs16", "<i2", 32768),
                                               (".cf32", np.complex64, None)])
def test_record_raw_formats_hold_exactly_the_samples_asked(tmp_path, ext, dtype, scale):
    out = tmp_path / f"rec{ext}"
    p = sdrflow("record", "--source", "sim", "-f", "98.5M", "-o", str(out), "--samples", "250k")
    assert p.returncode == 0, p.stderr
    data = np.fromfile(out, dtype)
    assert len(data) == (250_000 if dtype == np.complex64 else 500_000)
    info = json.loads(sdrflow("info", str(out), "--json").stdout)
    assert info["samples"] == 250_000 and info["format"] == ext[1:]
    assert f"recorded 250000 samples (0.104 s) to {out}\n" in p.stderr


def test_record_says_when_the_source_ended_before_the_length_asked(tmp_path):
    rec = tmp_path / "short.cu8"
    assert sdrflow("record", "--source", "sim", "-o", str(rec), "-n", "10k").returncode == 0
    out = tmp_path / "copy.cu8"
    p = sdrflow("record", "--source", str(rec), "-s", "2.4M", "-o", str(out), "-n", "20k")
    assert p.returncode == 0 and out.stat().st_size == 20_000
    assert "recorded 10000 samples (0.00417 s) to " in p.stderr
    assert "; the source ended before the 20000 asked" in p.stderr
    # A ZeroMQ stream that never comes: ?timeout= ends it (before, the option was accepted
    # and ignored, and the command waited for ever).
    p = sdrflow("record", "--source", "zmq+tcp://127.0.0.1:9?rate=2.4M&timeout=0.5", "-o",
                str(out), "-n", "10k")
    assert p.returncode == 0 and "recorded 0 samples" in p.stderr and out.stat().st_size == 0
    p = sdrflow("record", "--source", "zmq+tcp://127.0.0.1:9?rate=2.4M&timeout=-1", "-o",
                str(out), "-n", "10k")
    assert p.returncode == 2 and "timeout is the seconds without a frame" in p.stderr


def test_record_iq_wav_as_sdr_programs_do_and_play_it_back(tmp_path):
    # rtl_sdr's -n; I left and Q right in 16 bits, the rate in the header
    for name in ("rec.wav", "rec.cf32"):
        p = sdrflow("record", "--source", "sim", "-f", "98.5M", "-o", str(tmp_path / name),
                    "-n", "100k", "--stats")
        assert p.returncode == 0, p.stderr
        assert re.search(r"WAVSink#\d+: clipped = 0", p.stderr) or name != "rec.wav", p.stderr
    info = json.loads(sdrflow("info", str(tmp_path / "rec.wav"), "--json").stdout)
    assert (info["samples"], info["sample_rate"]) == (100_000, 2_400_000)
    assert info["format"] == "WAV 16-bit PCM, 2 channel(s)"
    cut = tmp_path / "cut.wav"  # info tells what a cut file holds, not what its header promised
    cut.write_bytes((tmp_path / "rec.wav").read_bytes()[:80 + 4 * 1000 + 2])
    assert json.loads(sdrflow("info", str(cut), "--json").stdout)["samples"] == 1000
    from scipy.io import wavfile

    rate, pcm = wavfile.read(tmp_path / "rec.wav")
    exact = np.fromfile(tmp_path / "rec.cf32", np.complex64)
    assert rate == 2_400_000 and pcm.shape == (100_000, 2)
    np.testing.assert_allclose(pcm[:, 0], exact.real * 32767, atol=0.5 + 1e-3)
    np.testing.assert_allclose(pcm[:, 1], exact.imag * 32767, atol=0.5 + 1e-3)
    # and sdrflow plays it as the radio it was: the tone comes out of listen
    out = tmp_path / "audio.wav"
    p = sdrflow("listen", "-f", "98.5M", "--source", str(tmp_path / "rec.wav"), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert json.loads(sdrflow("info", str(out), "--json").stdout)["samples"] == 100_000 // 50


def test_record_to_standard_output_as_rtl_sdr_does(tmp_path):
    # rtl_sdr - | …: the same bytes as the file, in any of the raw formats
    p = sdrflow("record", "--source", "sim", "-f", "98.5M", "-o", str(tmp_path / "r.cu8"), "-n", "50k")
    assert p.returncode == 0, p.stderr
    out = subprocess.run([sys.executable, "-m", "sdrflow.cli", "record", "--source", "sim", "-f",
                          "98.5M", "-o", "-", "-n", "50k", "-q"], capture_output=True, timeout=300)
    assert out.returncode == 0 and out.stdout == (tmp_path / "r.cu8").read_bytes()
    out = subprocess.run([sys.executable, "-m", "sdrflow.cli", "record", "--source", "sim", "-o",
                          "-", "-n", "50k", "--format", "cs16", "-q"], capture_output=True,
                         timeout=300)
    assert out.returncode == 0 and len(out.stdout) == 4 * 50_000
    p = sdrflow("record", "--source", "sim", "-o", str(tmp_path / "x.cu8"), "-n", "1k",
                "--format", "cs16")
    assert p.returncode == 2 and "--format is for -o -" in p.stderr
    # a reader that leaves (| head -c 100) ends the recording quietly
    p = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "record", "--source", "sim", "-o",
                          "-", "--seconds", "600", "-q"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        assert len(p.stdout.read(100)) == 100
        p.stdout.close()
        _, err = p.communicate(timeout=120)
    finally:
        p.kill()
    assert p.returncode == 0 and b"error" not in err, err


def test_record_sigmf_has_rate_frequency_datetime_and_info_shows_them(tmp_path):
    out = tmp_path / "station.sigmf-meta"
    p = sdrflow("record", "--source", "sim", "-f", "98.5M", "-o", str(out), "--seconds", "0.5")
    assert p.returncode == 0, p.stderr
    meta = json.loads(out.read_text())
    assert meta["global"]["core:sample_rate"] == 2.4e6
    capture = meta["captures"][0]
    assert capture["core:frequency"] == 98.5e6 and capture["core:datetime"].endswith("Z")
    shown = sdrflow("info", str(out)).stdout
    assert "2.4 MS/s" in shown and "98.5 MHz" in shown and "0.500 s" in shown
    assert "capture      at sample 0: 98.5 MHz" in shown


@pytest.mark.parametrize("args, message", [
    (["--source", "sim", "--seconds", "0"], "the simulation is endless"),
    (["--source", "rtl?sim=1", "-f", "98.5M", "-n", "-5"], "-n -5: a length is ≥ 0"),
])
def test_record_refuses_a_length_it_cannot_keep(tmp_path, args, message):
    p = sdrflow("record", *args, "-o", str(tmp_path / "r.cu8"))
    assert p.returncode == 2 and message in p.stderr and "Traceback" not in p.stderr


def test_record_into_a_pipe_or_dev_null_writes_raw_samples_as_format_says(tmp_path):
    """rtl_sdr … /dev/null, to see a dongle keep up; a named pipe to another program."""
    p = sdrflow("record", "--source", "sim", "-n", "100k", "/dev/null")
    assert p.returncode == 0 and "recorded 100000 samples (0.0417 s) to /dev/null" in p.stderr
    fifo = tmp_path / "iq"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    p = sdrflow("record", "--source", "sim", "-n", "100k", "--format", "cs16", "-o", str(fifo))
    reader.join(60)
    assert p.returncode == 0 and len(got[0]) == 4 * 100_000, p.stderr
    p = sdrflow("record", "--source", "sim", "-n", "1k", "--format", "cs16", str(tmp_path / "a.cu8"))
    assert p.returncode == 2 and "--format is for -o - (standard output) or a pipe" in p.stderr


def test_rtl_sdrs_command_line_works_as_it_is(tmp_path):
    """rtl_sdr -f 98.5M -s 2.4M -n 48k -p 3 -d 0 FILE: the file last, the ppm and the device
    reach the dongle."""
    from sdrflow.cli.record import build_record

    out = tmp_path / "rtl_sdr.cu8"
    p = sdrflow("record", "--source", "rtl?sim=1", "-f", "98.5M", "-s", "2.4M", "-n", "48k",
                "-p", "3", "-d", "0", str(out))
    assert p.returncode == 0 and out.stat().st_size == 96_000, p.stderr
    assert f"Recording rtl:0?sim=1&ppm=3 at 2.4e+06 S/s to {out}" in p.stderr
    fg, _, opened = build_record("rtl:0?sim=1&ppm=3", str(out), 98.5e6, 2.4e6, samples=48_000)
    fg.run()
    assert ("freq_correction", 3) in [setting[:2] for setting in opened.block.driver.settings]


@pytest.mark.parametrize("args, message", [
    (["-o", "a.cu8", "b.cu8"], "two outputs, -o a.cu8 and b.cu8: give one"),
    ([], "give the file to write: -o FILE, or FILE last as rtl_sdr takes it"),
    (["-d", "1", "x.cu8"], "-d is for a dongle on this host, which --source sim is not"),
])
def test_record_refuses_outputs_and_dongle_letters_that_do_not_add_up(tmp_path, args, message):
    p = sdrflow("record", "--source", "sim", "-n", "1k", *args, cwd=tmp_path)
    assert p.returncode == 2 and message in p.stderr and list(tmp_path.iterdir()) == []


def test_record_refuses_a_sigmf_archive_name_and_says_what_to_give(tmp_path):
    p = sdrflow("record", "--source", "sim", "-o", str(tmp_path / "r.sigmf"), "--seconds", "0.1")
    assert p.returncode == 2 and "r.sigmf-meta" in p.stderr and "archive" in p.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("length", [["--seconds", "600"], ["-n", "0"]])  # 0: until stopped
def test_record_stopped_by_sigterm_leaves_valid_sigmf(tmp_path, length):
    out = tmp_path / "long.sigmf-meta"
    p = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "record", "--source",
                          "rtl?sim=1", "-f", "98.5M", "-o", str(out), *length],
                         stderr=subprocess.PIPE, text=True)
    data = tmp_path / "long.sigmf-data"
    while p.poll() is None and (not data.exists() or data.stat().st_size < 1_000_000):
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    _, err = finish(p, 60)
    assert p.returncode == 143, err
    meta = json.loads(out.read_text())
    assert meta["global"]["core:hw"] == "RTL-SDR" and meta["captures"][0]["core:frequency"] == 98.5e6
    assert data.stat().st_size % 8 == 0
    assert f"recorded {data.stat().st_size // 8} samples " in err  # what the file holds


def test_real_recordings_named_as_rtl_433_names_them_need_no_rate(real_data, tmp_path):
    path = real_data / "ook433" / "sensibleliving_g002_433.92M_250k.cu8"
    info = json.loads(sdrflow("info", str(path), "--json").stdout)
    assert (info["sample_rate"], info["frequency"]) == (250e3, 433.92e6)
    assert info["seconds"] == pytest.approx(131072 / 250e3)
    # no -s: the name gives the rate, and the spectrum's axis is centred on 1090 MHz
    out = tmp_path / "modes.png"
    p = sdrflow("spectrum", "--source", str(real_data / "adsb" / "modes1_1090M_2000k.cu8"),
                "-o", str(out))
    assert p.returncode == 0 and out.stat().st_size > 10_000, p.stderr


def test_info_refuses_what_it_cannot_read(tmp_path):
    """With exit code 2, as every command refuses a file it cannot use."""
    p = sdrflow("info", str(tmp_path / "none.cu8"))
    assert p.returncode == 2 and "no such file" in p.stderr
    odd = tmp_path / "notes.txt"
    odd.write_text("hello")
    p = sdrflow("info", str(odd))
    assert p.returncode == 2 and "cannot tell the format" in p.stderr
    bad = tmp_path / "bad.sigmf-meta"
    bad.write_text("{not json")
    p = sdrflow("info", str(bad))
    assert p.returncode == 2 and "not SigMF" in p.stderr


def test_devices_says_none_here_and_lists_what_librtlsdr_reports():
    p = sdrflow("devices")
    assert p.returncode == 0 and p.stdout.startswith("none")

    class TwoDongles:  # librtlsdr's device listing calls, as ctypes sees them
        def rtlsdr_get_device_count(self):
            return 2

        def rtlsdr_get_device_name(self, i):
            return b"Generic RTL2832U OEM"

        def rtlsdr_get_device_usb_strings(self, i, manufact, product, serial):
            manufact.value, product.value, serial.value = b"Realtek", b"RTL2838UHIDIR", b"0000000%d" % i

        def rtlsdr_open(self, dev, i):  # the second one is held by another program
            if i == 1:
                return -6
            dev._obj.value = 1234
            self.opened = True
            return 0

        def rtlsdr_get_tuner_type(self, dev):
            assert dev.value == 1234
            return 5

        def rtlsdr_close(self, dev):
            self.closed = dev.value == 1234

    driver = TwoDongles()
    found = list_devices(driver)
    assert [d["serial"] for d in found] == ["00000000", "00000001"]
    assert found[1]["name"] == "Generic RTL2832U OEM"
    assert [d["tuner"] for d in found] == ["R820T", "in use (another program holds it)"]
    assert driver.opened and driver.closed  # what it opened, it closed


def test_graph_draws_blocks_parameters_types_and_rates():
    script = "flowgraphs/fm_receiver.py"
    dot = sdrflow("graph", script).stdout
    assert dot.startswith("digraph flowgraph {")
    assert 'label="complex64 @ 2.4 MS/s"' in dot and 'label="float32 @ 48 kS/s"' in dot
    assert "cutoff=100000" in dot and "WAVSink" in dot
    mermaid = sdrflow("graph", script, "--mermaid", "--rate", "1.2e6").stdout
    assert mermaid.startswith("flowchart LR") and '"complex64 @ 1.2 MS/s"' in mermaid


def test_graph_shows_the_rds_recipe_with_its_parameters_not_its_internals():
    dot = sdrflow("graph", "flowgraphs/rds.py").stdout
    assert 'label="uint8 @ 1.1875 kS/s"' in dot and "RDSDecoder" in dot
    assert "array(" not in dot  # the simulated station's chips stay inside it
