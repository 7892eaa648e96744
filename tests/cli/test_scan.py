"""`sdrflow scan`: rtl_power's CSV on the simulated band, hopping and stitching, and the picture."""
import subprocess
import sys

import numpy as np
import pytest

STATIONS = {99.6e6: -30.0, 100.15e6: -40.0, 100.6015e6: -35.0}  # AM, NBFM, USB tone (dBFS)


def sdrflow(*args):
    return subprocess.run([sys.executable, "-m", "sdrflow.cli", *args], capture_output=True,
                          text=True, timeout=300)


def read_csv(path):
    rows = []
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.split(",")]
        date, clock, low, high, step, samples = cells[:6]
        rows.append((date, clock, float(low), float(high), float(step), int(samples),
                     np.array(cells[6:], float)))
    return rows


def test_sweep_finds_each_station_within_a_bin_and_its_level_within_1_db(tmp_path):
    out, png = tmp_path / "band.csv", tmp_path / "band.png"
    p = sdrflow("scan", "--source", "sim:band?at=100M", "-f", "99M:101.5M:10k", "-i", "0.4",
                "-1", "-o", str(out), "--png", str(png))
    assert p.returncode == 0, p.stderr
    rows = read_csv(out)
    assert len(rows) == 2  # 2.5 MHz in hops of 1.92 MHz (2.4 Msps, 20 % cropped)
    date, clock, low, high, step, samples, db = rows[0]
    assert len(date) == 10 and len(clock) == 8 and step == 2.4e6 / 256 and samples >= 256
    assert len(db) == round((high - low) / step) + 1
    freqs = np.concatenate([r[2] + r[4] * np.arange(len(r[6])) for r in rows])
    power = np.concatenate([r[6] for r in rows])
    assert np.all(np.diff(freqs) > 0) and freqs[0] < 99.01e6 and freqs[-1] > 101.49e6  # stitched
    for frequency, level in STATIONS.items():
        near = np.abs(freqs - frequency) < 40e3
        peak = freqs[near][np.argmax(power[near])]
        assert abs(peak - frequency) <= step, f"station at {frequency} found at {peak}"
        total = 10 * np.log10(np.sum(10 ** (power[near] / 10)))  # the bins of a station add up
        assert abs(total - level) < 1, f"{frequency}: {total:.2f} dBFS, expected {level}"
    quiet = (np.abs(freqs - 99.3e6) < 100e3)
    assert np.all(power[quiet] < -75)  # nothing where no station is
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args, message", [
    (["-f", "88M-108M"], "LOWER:UPPER:BIN"),
    (["-f", "108M:88M:10k"], "LOWER < UPPER"),
])
def test_bad_ranges_are_refused(args, message):
    p = sdrflow("scan", "--source", "sim", *args, "-1")
    assert p.returncode == 2 and message in p.stderr


def test_rtl_powers_command_line_works_as_it_is(tmp_path):
    """rtl_power -f … -i … -1 FILE: the file last (stdout without one); -d on a simulation is
    refused, as it names a dongle (and -p, tests/test_cli.py)."""
    out = tmp_path / "band.csv"
    p = sdrflow("scan", "--source", "sim:band?at=100M", "-f", "99M:101.5M:10k", "-i", "0.2",
                "-1", str(out))
    assert p.returncode == 0 and len(read_csv(out)) == 2, p.stderr
    p = sdrflow("scan", "--source", "sim:band?at=100M", "-f", "99M:101.5M:10k", "-1", "-d", "1")
    assert p.returncode == 2 and "-d is for a dongle on this host" in p.stderr
    p = sdrflow("scan", "--source", "sim", "-f", "99M:101.5M:10k", "-1", "-o", "a.csv", "b.csv")
    assert p.returncode == 2 and "two outputs" in p.stderr


def test_a_refused_scan_leaves_no_file_and_names_sources_that_retune(tmp_path):
    out, recording = tmp_path / "band.csv", tmp_path / "rec.cu8"
    recording.write_bytes(bytes(range(256)) * 100)  # a recording cannot be retuned
    p = sdrflow("scan", "--source", f"file:{recording}?rate=2.4M&freq=98M", "-f", "88M:108M:10k",
                "-1", "-o", str(out))
    assert p.returncode == 2 and "cannot be retuned" in p.stderr and "sim:band" in p.stderr
    assert not out.exists()


def test_a_range_beyond_the_dongles_tuner_is_refused_at_start_not_midway(tmp_path):
    """An R820T stops at 1766 MHz: the sweep checks every hop against the open dongle's tuner
    before it starts, instead of waiting forever at the first hop the dongle refuses."""
    out = tmp_path / "band.csv"
    p = sdrflow("scan", "--source", "rtl?sim=1", "-f", "1700M:1800M:100k", "-1", "-o", str(out))
    assert p.returncode == 2, p.stderr
    assert "beyond this dongle's R820T tuner (24–1766 MHz)" in p.stderr
    assert "the sweep 1700–1800 MHz needs a hop at" in p.stderr and "narrow the range" in p.stderr
    assert not out.exists()
    p = sdrflow("scan", "--source", "rtl?sim=1", "-f", "1700M:1760M:100k", "-1", "-o", str(out))
    assert p.returncode == 0 and len(read_csv(out)) == 32, p.stderr  # within it: 32 hops


def test_spectrum_picture_of_the_band(tmp_path):
    out = tmp_path / "band.png"
    p = sdrflow("spectrum", "--source", "sim:band", "-f", "100M", "-o", str(out), "--seconds", "0.3")
    assert p.returncode == 0, p.stderr
    assert "rows of 2048 bins" in p.stderr and out.read_bytes()[:4] == b"\x89PNG"


def test_pictures_without_matplotlib_name_the_extra(monkeypatch, capsys, tmp_path):
    from sdrflow.cli.spectrum import main_spectrum

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main_spectrum(["--source", "sim", "-o", str(tmp_path / "x.png")]) == 2
    assert "pip install 'sdrflow[plot]'" in capsys.readouterr().err


@pytest.mark.parametrize("command", [
    ["spectrum", "--source", "sim:fmband", "-o"],
    ["scan", "--source", "sim:fmband", "-f", "98M:99M:25k", "-1", "-o", "-", "--png"],
    ["bench", "MultiplyConst", "--png"]])
def test_a_picture_matplotlib_cannot_write_is_refused_before_anything_runs(command, tmp_path):
    # Before, spectrum and scan ran their source and then failed in savefig with a traceback.
    p = sdrflow(*command, str(tmp_path / "band.txt"))
    assert p.returncode == 2 and p.stdout == ""
    assert "band.txt: a picture's name ends in one of" in p.stderr and ".png" in p.stderr
    p = sdrflow(*command, str(tmp_path / "missing" / "band.png"))
    assert p.returncode == 2 and p.stdout == ""
    assert "missing does not exist; create it first" in p.stderr


@pytest.mark.parametrize("sweeps", [1, 2, 3, 7])
def test_heat_map_draws_any_number_of_sweeps(tmp_path, sweeps):
    import numpy as np

    from sdrflow.cli.scan import heat_map

    rows = [(t, lo, lo + 1e6, 10e3, np.full(100, -60.0 + t)) for t in range(sweeps)
            for lo in (99e6, 100e6)]
    heat_map(rows, str(tmp_path / "h.png"), "test")
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"


def test_scan_and_spectrum_print_counters_with_stats(tmp_path):
    for args in (["scan", "--source", "sim:band?at=100M", "-f", "99.5M:100.5M:10k", "-i", "0.2", "-1",
                  "-o", str(tmp_path / "s.csv")],
                 ["spectrum", "--source", "sim", "-f", "100M", "--seconds", "0.3", "-o", str(tmp_path / "s.png")]):
        p = subprocess.run([sys.executable, "-m", "sdrflow.cli", *args, "--stats"], capture_output=True,
                           text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        assert "items in" in p.stderr and "wall time" in p.stderr


def test_a_reader_that_leaves_ends_the_scan_quietly():
    """``sdrflow scan … -o - | head -1``: once head has its line and leaves, the scan ends with
    exit code 0 and no error, as rtl_power's does."""
    p = subprocess.Popen([sys.executable, "-m", "sdrflow.cli", "scan", "-f", "97M:100M:10k",
                          "--source", "sim:band?at=98.5M", "-i", "0.2", "-o", "-"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert p.stdout.readline().count(b",") > 6  # one CSV row came
        p.stdout.close()  # head has what it wanted
        _, err = p.communicate(timeout=120)
    finally:
        p.kill()
    assert p.returncode == 0 and b"error" not in err, err
