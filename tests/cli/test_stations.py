"""`sdrflow stations`: the FM band's stations, their power and their RDS, as a user runs it."""
import json
import signal
import subprocess
import sys

import numpy as np
import pytest

from sdrflow.blocks.fm_band_source import FM_BAND
from sdrflow.cli.stations import GRID, WIDTH, find_stations, groups

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
from audio import finish  # noqa: E402


def sdrflow(*args):
    return subprocess.run([sys.executable, "-m", "sdrflow.cli", *args], capture_output=True,
                          text=True, timeout=300)


def test_stations_names_every_station_of_the_simulated_band_at_its_frequency_and_power():
    p = sdrflow("stations", "--source", "sim:fmband", "--json", "--seconds", "6")
    assert p.returncode == 0, p.stderr
    found = [json.loads(line) for line in p.stdout.splitlines()]
    assert [s["frequency"] for s in found] == [f for f, *_ in FM_BAND]
    for station, (_, level, _, rds) in zip(found, FM_BAND):
        assert station["power_db"] == pytest.approx(level, abs=0.5)
        if rds is None:  # the station without RDS: its power, and nothing else
            assert set(station) == {"frequency", "power_db"}
            continue
        assert station["pi"] == f"0x{rds.get('pi', 0x5DF0):04X}"
        assert station["ps"].rstrip() == rds.get("ps", "SDRFLOW")
        assert station["radiotext"] == rds.get(
            "radiotext", "sdrflow's simulated station: a 1 kHz and a 3 kHz tone")
    assert "7 stations 10 dB above the band's floor" in p.stderr


def test_stations_prints_a_table_and_reads_north_american_rbds():
    p = sdrflow("stations", "--source", "sim:fmband", "-f", "98.2M:99.2M", "--rbds",
                "--seconds", "6")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split()[:3] == ["MHz", "dB", "PI"] and len(lines) == 3
    assert lines[1].split()[:3] == ["98.50", "-14.0", "0x5DF0"] and "SDRFLOW" in lines[1]
    # PI 0x5304 is KZJW by NRSC-4's rule, and type 11 "Oldies" in RBDS ("Rock music" in RDS)
    assert lines[2].split()[:4] == ["98.90", "-26.0", "0x5304", "KZJW"] and "Oldies" in lines[2]


def bins(stations, floor=-60.0, lower=97e6, upper=100e6, step=25e3):
    """A sweep's bins: a flat floor and each (frequency, dB) station spread over ±75 kHz."""
    f = np.arange(lower, upper, step) + step / 2
    power = np.full(len(f), 10 ** (floor / 10))
    for where, db in stations:
        near = np.abs(f - where) < 75e3
        power[near] += 10 ** (db / 10) / near.sum()
    return f, 10 * np.log10(power)


def test_find_stations_takes_channels_above_the_floor_even_400_khz_apart():
    freqs, db = bins([(98.5e6, -20.0), (98.9e6, -35.0), (99.5e6, -52.0)])
    found, floor = find_stations(freqs, db, level=10)
    assert [f for f, _ in found] == [98.5e6, 98.9e6]  # 99.5 MHz is 7 dB up only: not a station
    assert [p for _, p in found] == pytest.approx([-20.0, -35.0], abs=0.2)  # plus the floor
    assert floor == pytest.approx(-60 + 10 * np.log10(8), abs=0.1)  # eight bins a channel


def test_groups_hold_every_station_within_reach_and_off_the_centre():
    stations = [88.3e6, 91.7e6, 98.5e6, 98.9e6, 99.6e6, 100.1e6, 107.4e6]
    plan = groups(stations, 2.4e6)
    assert sorted(f for _, group in plan for f in group) == stations
    for centre, group in plan:
        assert all(GRID <= abs(f - centre) <= 0.4 * 2.4e6 - WIDTH for f in group)
    assert [len(group) for _, group in plan] == [1, 1, 4, 1]  # 98.5–100.1 MHz in one tuning


@pytest.mark.parametrize("args, code, message", [
    (["-f", "108M:88M"], 2, "LOWER < UPPER"),
    (["-f", "88M"], 2, "-f 88M: write LOWER:UPPER"),  # was "-f 88M:25k: write LOWER:UPPER:BIN"
    (["--seconds", "0"], 2, "--seconds must be in"),
    (["--source", "nowhere.cu8"], 2, "no such file"),
    ([], 1, "no RTL-SDR found"),  # no dongle here
])
def test_stations_refuses_with_the_exit_code_and_a_reason(args, code, message):
    p = sdrflow("stations", *args)
    assert p.returncode == code and message in p.stderr and "Traceback" not in p.stderr
    assert p.stdout == ""


def test_a_recording_too_short_to_sweep_is_refused(tmp_path):
    (tmp_path / "short_98.7M_2400k.cu8").write_bytes(bytes(100))  # 50 samples
    p = sdrflow("stations", "--source", str(tmp_path / "short_98.7M_2400k.cu8"))
    assert p.returncode == 2 and "ended before the sweep measured a whole hop" in p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_ctrl_c_while_listening_prints_what_was_heard_and_exits_130():
    p = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "stations", "--source",
                          "sim:fmband", "-f", "107M:108M", "--seconds", "3600"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:  # waits on the command's own word, not on a clock
        if line.startswith("listening to 107.4 MHz"):
            break
    p.send_signal(signal.SIGINT)
    out, err = finish(p, 60)
    assert p.returncode == 130, err
    assert out.splitlines()[1].split()[:3] == ["107.40", "-20.0", "-"], (out, err)


def test_a_recording_is_searched_over_the_band_it_holds(tmp_path):
    rec = tmp_path / "band_98.7M_2400k.cu8"  # centre and rate from the name, as rtl_433 reads
    p = sdrflow("record", "--source", "sim:fmband", "-f", "98.7M", "-o", str(rec),
                "--seconds", "4")
    assert p.returncode == 0, p.stderr
    p = sdrflow("stations", "--source", str(rec), "--json")
    assert p.returncode == 0, p.stderr
    found = [json.loads(line) for line in p.stdout.splitlines()]
    assert [(s["frequency"], s["ps"]) for s in found] == [(98.5e6, "SDRFLOW "),
                                                         (98.9e6, "ROCK 989")]
    assert "in 97.74–99.66 MHz" in p.stderr  # ±0.4 of the rate around its centre


def test_stations_on_a_dongle_hearing_the_band_finds_each_station_once():
    # The stand-in dongle at pyrtlsdr's boundary hears the simulated band where it is tuned,
    # and after each retune delivers the rest of the USB buffer in flight from the frequency
    # before it, as a real dongle does: the sweep must let that pass, or it finds the previous
    # hop's stations again.
    p = sdrflow("stations", "--source", "rtl?sim=fmband", "-f", "88M:99.4M", "--json")
    assert p.returncode == 0, p.stderr
    found = [json.loads(line) for line in p.stdout.splitlines()]
    assert [(s["frequency"], s.get("ps", "").rstrip()) for s in found] == [
        (88.3e6, "CLASSIC"), (91.7e6, "JAZZ 917"), (95.2e6, "NEWS 24"), (98.5e6, "SDRFLOW"),
        (98.9e6, "ROCK 989")]


def test_stations_through_rtl_tcp_finds_no_ghosts_of_the_hop_before():
    # `sdrflow serve` shares the simulated band as SDR++ would see a dongle. Samples from before
    # a retune still come for a while over the network; a sweep that took them found the
    # previous hop's stations again, 1.9 MHz off (88.75, 90.25, 93.65, 97.15 MHz).
    from sdrflow.cli.serve import build

    fg, sink = build("sim:fmband", port=0, frequency=98.7e6)
    fg.start()
    try:
        p = sdrflow("stations", "--source", f"rtl_tcp:127.0.0.1:{sink.port}", "-f", "88M:99.4M",
                    "--json")
    finally:
        fg.stop()
        fg.wait()
    assert p.returncode == 0, p.stderr
    found = [json.loads(line) for line in p.stdout.splitlines()]
    assert [(s["frequency"], s.get("ps", "").rstrip()) for s in found] == [
        (88.3e6, "CLASSIC"), (91.7e6, "JAZZ 917"), (95.2e6, "NEWS 24"), (98.5e6, "SDRFLOW"),
        (98.9e6, "ROCK 989")]
