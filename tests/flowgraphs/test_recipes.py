"""Every script in flowgraphs/: documented, builds, lists its options, runs on its default."""
import importlib.util
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "flowgraphs").glob("*.py"))


def load(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_recipe_is_documented_and_lists_its_options(path):
    module = load(path)
    assert module.__doc__ and "→" in module.__doc__.splitlines()[0]
    assert callable(module.build) and callable(module.main)
    p = subprocess.run([sys.executable, "-m", "sdrflow.cli", "run", str(path), "--help"],
                       capture_output=True, text=True, timeout=60)
    # every recipe takes any source, except the remote receiver, whose source is an address
    source = "--address" if path.stem == "remote_receiver" else "--source"
    assert p.returncode == 0 and source in p.stdout and "--stats" in p.stdout


def test_stereo_receiver_writes_left_and_right(tmp_path):
    out = tmp_path / "s.wav"
    load(ROOT / "flowgraphs" / "fm_stereo_receiver.py").build(output=str(out), seconds=1.0).run()
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (2, 48000, 48000)
        pcm = np.frombuffer(w.readframes(48000), "<i2").reshape(-1, 2).astype(float)[9600:]
    f = np.fft.rfftfreq(len(pcm), 1 / 48e3)
    for channel, tone in ((0, 1000), (1, 3000)):
        spec = np.abs(np.fft.rfft(pcm[:, channel] * np.hanning(len(pcm))))
        assert abs(f[np.argmax(spec)] - tone) < 2


def test_iq_server_publishes_tagged_iq(tmp_path):
    import socket
    from sdrflow import Flowgraph
    from sdrflow.blocks import VectorSink, ZMQSubSource
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = load(ROOT / "flowgraphs" / "iq_server.py").build(address=f"tcp://*:{port}", seconds=0.5)
    rx, sink = Flowgraph(), VectorSink()
    sub = ZMQSubSource(f"tcp://127.0.0.1:{port}", rate=2.4e6, pass_tags=True, idle_timeout=1.0)
    rx.connect(sub, sink)
    rx.start()
    server.run()
    rx.wait(10)
    # The subscriber joined a running publisher: it counts what it missed before its first
    # frame, and with the end marker, everything it got and missed adds up to what was sent.
    assert 0.2 * 2.4e6 < len(sink.data) <= 0.5 * 2.4e6 and sub.items_lost == sub.items_lost_at_start
    assert len(sink.data) + sub.items_lost == int(0.5 * 2.4e6)
    assert np.abs(sink.data).mean() == pytest.approx(0.5, abs=0.05)  # the station's carrier


sys.path.insert(0, str(ROOT / "tests"))
from audio import finish, sinad_db  # noqa: E402


@pytest.mark.parametrize("recipe", ["nbfm_receiver", "am_receiver", "ssb_receiver"])
def test_voice_receivers_recover_the_simulated_tone(tmp_path, recipe):
    out = tmp_path / "a.wav"
    load(ROOT / "flowgraphs" / f"{recipe}.py").build(output=str(out), seconds=1.5).run()
    with wave.open(str(out)) as w:
        assert w.getframerate() == 48000 and abs(w.getnframes() - 72000) <= 1
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)[24000:]
    f = np.fft.rfftfreq(len(pcm), 1 / 48e3)
    assert abs(f[np.argmax(np.abs(np.fft.rfft(pcm * np.hanning(len(pcm)))))] - 1000) < 2
    assert sinad_db(pcm, 48e3, (1000,)) >= 20


def test_scanner_finds_the_busy_channel():
    fg = load(ROOT / "flowgraphs" / "scanner.py").build(seconds=1.5)
    fg.run()
    assert [round(hz) for _, hz, _ in fg.scanner.hits] == [100_150_000]
    assert abs(fg.scanner.hits[0][2] - -40) < 1


def test_recorder_writes_the_samples_asked(tmp_path):
    out = tmp_path / "r.cu8"
    load(ROOT / "flowgraphs" / "recorder.py").build(output=str(out), seconds=0.25).run()
    assert out.stat().st_size == 2 * 600_000


def test_adsb_serves_raw_and_beast_like_dump1090(capsys):
    import socket
    import threading

    fg = load(ROOT / "flowgraphs" / "adsb.py").build(seconds=2.0, raw_port=0, beast_port=0, sbs_port=0)
    fg.start()
    out = fg.outputs
    raw, beast, sbs = (socket.create_connection(("127.0.0.1", p)) for p in (out.raw_port, out.beast_port, out.sbs_port))
    got = {"raw": b"", "beast": b"", "sbs": b""}

    def read(name, conn):
        while True:
            data = conn.recv(65536)
            if not data:
                return
            got[name] += data

    readers = [threading.Thread(target=read, args=a, daemon=True) for a in (("raw", raw), ("beast", beast), ("sbs", sbs))]
    for t in readers:
        t.start()
    fg.wait(60)
    for t in readers:
        t.join(10)
    source = next(b for b in fg.blocks if type(b).__name__ == "ModeSSource")
    sent = [hexframe for _, hexframe in sorted(source.sent)]  # in time order
    printed = [line.strip("*;") for line in capsys.readouterr().out.split()]
    assert printed == sent  # every frame sent was decoded, in order, as *HEX; lines
    served = [line.strip("*;") for line in got["raw"].decode().split()]
    assert served and served == sent[-len(served):]  # the raw port: the same, from connection on
    frames, data = [], got["beast"].replace(b"\x1a\x1a", b"\x00ESC")  # undo the escapes
    for part in data.split(b"\x1a")[1:]:
        part = part.replace(b"\x00ESC", b"\x1a")
        assert part[:1] == b"3" and len(part) == 1 + 6 + 1 + 14
        frames.append(part[8:].hex())
    assert frames == served
    # SBS-1: a line per frame served, of the kind its type code makes (MSG,1 identification,
    # MSG,3 airborne position, MSG,4 velocity), with the callsign, altitude, speed and position
    calls = {"4d2023": "AMC421", "3c6586": "DLH9LF"}
    kinds = {4: "1", 11: "3", 19: "4"}
    rows = [line.split(",") for line in got["sbs"].decode().split("\r\n") if line]
    assert [(r[0], r[1], r[4]) for r in rows] == [("MSG", kinds[int(f[8:10], 16) >> 3], f[2:8].upper()) for f in served]
    flights = {f"{f.icao:06X}": f for f in source.flights}
    for r in rows:
        flight = flights[r[4]]
        if r[1] == "1":
            assert r[10] == calls[r[4].lower()]
        elif r[1] == "3":
            assert abs(int(r[11]) - flight.feet) <= 2 * 1500 / 60 + 12.5  # at most 2 s of climb
            if r[14]:  # once an even and an odd frame made a position
                assert abs(float(r[14]) - flight.lat) < 0.01 and abs(float(r[15]) - flight.lon) < 0.02
        else:
            assert abs(int(r[12]) - flight.knots) <= 1.5 and abs(float(r[13]) - flight.track) <= 0.5
    assert {r[1] for r in rows} == {"1", "3", "4"} and any(r[14] for r in rows if r[1] == "3")


def test_adsb_table_and_2_4_msps(real_data, tmp_path, capsys):
    adsb = load(ROOT / "flowgraphs" / "adsb.py")
    path = real_data / "adsb" / "modes1_1090M_2000k.cu8"
    assert adsb.main(["--source", str(path), "--stdout", "table", "--lat", "37", "--lon", "13.8"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["ICAO", "Flight", "Sqwk", "Alt"] and len(table) == 3
    row = table[2].split()
    assert row[:3] == ["4D2023", "AMC421", "0112"] and 36.9 < float(row[7]) < 37.2
    assert adsb.main(["--lat", "37"]) == 2  # both or neither
    # the same capture at 2.4 Msps (resampled, back to cu8) gives nearly every frame
    sys.path.insert(0, str(ROOT / "tests" / "blocks"))
    from test_mode_s_demod import capture_at_2_4_msps

    capsys.readouterr()
    at_2_4 = capture_at_2_4_msps(real_data, tmp_path)
    assert adsb.main(["--source", str(at_2_4), "--rate", "2.4M"]) == 0
    frames = {line.strip("*;") for line in capsys.readouterr().out.split()}
    reference = {line.strip("*;") for line in (real_data / "adsb" / "modes1.dump1090.raw.txt").read_text().split()
                 if line.startswith("*")}
    assert len(frames & reference) >= 108  # of dump1090's 111 different frames


def test_ook433_prints_bursts_and_the_sensor_reading(capsys):
    import json

    load(ROOT / "flowgraphs" / "ook433.py").build(seconds=2.2).run()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    bursts = [m for m in lines if "burst" in m]
    readings = [m for m in lines if m.get("model") == "SensibleLiving-Moisture"]
    assert [round(b["burst"], 3) for b in bursts] == [0.501, 1.501]
    # RadioHead at 1000 bit/s: runs of one to four bit periods (1, 2, 3, 4 ms) and nothing else.
    widths = np.array([w for b in bursts for w in b["pulses_us"] + b["gaps_us"]])
    assert np.all(np.min(np.abs(widths[:, None] - [1000, 2000, 3000, 4000]), axis=1) < 40)
    assert [(m["house_id"], m["module_id"], m["sensor_value"], m["battery_mV"]) for m in readings] == \
        [(2, 24621, 1000, 2960)] * 2


def test_ook433_decodes_the_real_capture(real_data, capsys):
    path = real_data / "ook433" / "sensibleliving_g002_433.92M_250k.cu8"
    assert load(ROOT / "flowgraphs" / "ook433.py").main(["--source", str(path), "--no-bursts"]) == 0
    lines = [__import__("json").loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(m["house_id"], m["module_id"], m["sensor_value"], m["battery_mV"], m["mic"]) for m in lines] == \
        [(2, 24621, 1000, 2960, "CRC")]


def test_remote_source_and_receiver_as_two_processes_with_keys(tmp_path):
    """The dongle host's half in its own process, the receiver here: CURVE keys, the receiver
    learns type and rate, ends with the source, and the audio is the station's tone."""
    import socket

    for name in ("dongle-host", "laptop"):
        subprocess.run([sys.executable, "-m", "sdrflow.cli", "keygen", name, "--dir", str(tmp_path)],
                       check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    sender = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "run", str(ROOT / "flowgraphs" / "remote_source.py"),
                               "--seconds", "2", "--address", address,
                               "--secret", str(tmp_path / "dongle-host.key_secret"),
                               "--clients", str(tmp_path / "laptop.key"), "--stats"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = tmp_path / "remote.wav"
    fg = load(ROOT / "flowgraphs" / "remote_receiver.py").build(
        address=address, output=str(out), secret=str(tmp_path / "laptop.key_secret"),
        server_key=str(tmp_path / "dongle-host.key"), wait=60)
    source = next(b for b in fg.blocks if type(b).__name__ == "ZMQPullSource")
    fg.run()  # ends when the source's stream ends
    _, err = finish(sender, 60)
    assert sender.returncode == 0, err
    assert source.sample_rate == 2.4e6 and source.items_lost == 0
    with wave.open(str(out)) as w:
        assert w.getframerate() == 48000 and w.getnframes() == 96000  # all 2 s arrived
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)[9600:]
    assert sinad_db(pcm, 48e3, (1000, 3000)) >= 40  # as the unsplit receiver (test_fm_receiver)
    assert "items_unsent" in err and "curve_denied" in err  # the sender's --stats


def test_rds_recipe_prints_each_group_as_redsea_does(tmp_path):
    import json

    out = tmp_path / "groups.jsonl"
    load(ROOT / "flowgraphs" / "rds.py").build(seconds=5.0, rbds=True, output=str(out)).run()
    groups = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(groups) >= 50  # 5 s at 11.4 groups a second, less the first while syncing
    assert {g["pi"] for g in groups} == {"0x5DF0"}
    assert {g["callsign"] for g in groups} == {"WDNK"}
    assert {g["group"] for g in groups} == {"0A", "2A", "3A", "12A"}
    assert {g["open_data_app"]["app_name"] for g in groups if g["group"] == "3A"} == {
        "RadioText+ (RT+)"}
    assert {g["radiotext_plus"]["item_running"] for g in groups if g["group"] == "12A"} == {True}
    assert {tuple(g["alt_frequencies_a"]) for g in groups if "alt_frequencies_a" in g} == {
        (88100, 101300)}
    assert {g["ps"] for g in groups if "ps" in g} == {"SDRFLOW "}
    assert [g["radiotext"] for g in groups if "radiotext" in g][:1] == [
        "sdrflow's simulated station: a 1 kHz and a 3 kHz tone"]
