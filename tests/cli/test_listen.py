"""`sdrflow listen`: rtl_fm's job on the simulated station, the simulated dongle, and bad input."""
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from audio import read_wav, sinad_db, tone_frequency  # noqa: E402

from sdrflow.cli.listen import build  # noqa: E402


def sdrflow(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sdrflow.cli", *args], capture_output=True,
                          timeout=300, **kw)


def test_wbfm_from_the_simulation_to_wav_recovers_the_tones(tmp_path):
    out = tmp_path / "fm.wav"
    p = sdrflow("listen", "--source", "sim", "-f", "98.5M", "-o", str(out), "--seconds", "2")
    assert p.returncode == 0, p.stderr
    assert b"Tuned to 98.5 MHz (wbfm)" in p.stderr
    pcm, rate = read_wav(out)
    assert rate == 48000 and len(pcm) == 96000
    assert sinad_db(pcm[9600:, 0], 48e3, (1000, 3000)) >= 40


def test_rds_names_the_station_and_its_radiotext_as_they_come(tmp_path):
    """The simulated station sends RDS when asked for it: its PI, programme type, name,
    radiotext, alternative frequencies and what RadioText+ says is playing each come once on
    stderr, and the audio is as good as without it."""
    out = tmp_path / "fm.wav"
    p = sdrflow("listen", "--source", "sim", "-f", "98.5M", "--rbds", "-o", str(out),
                "--seconds", "5")
    assert p.returncode == 0, p.stderr
    lines = [x for x in p.stderr.decode().splitlines() if x.startswith("RDS: ")]
    assert lines == ["RDS: PI 0x5DF0, WDNK, Country",
                     "RDS: alternative frequencies 88.1 MHz, 101.3 MHz", "RDS: ps 'SDRFLOW '",
                     "RDS: radiotext \"sdrflow's simulated station: a 1 kHz and a 3 kHz tone\"",
                     "RDS: playing 'sdrflow – a 1 kHz and a 3 kHz tone'"]
    pcm, _ = read_wav(out)
    assert sinad_db(pcm[9600:, 0], 48e3, (1000, 3000)) >= 40


def test_rtl_fms_device_and_bias_tee_letters_choose_and_power_the_dongle(tmp_path):
    out = str(tmp_path / "a.wav")
    _, status = build(98.5e6, device="00000001", bias_tee=True, output=out)
    assert "on rtl:00000001?bias=1;" in status  # nothing opens before the graph starts
    fg, _ = build(98.5e6, source="rtl?sim=1", bias_tee=True, output=out, seconds=0.3)
    fg.run()
    dongle = fg.listen_parts["source"].driver
    assert ("bias_tee", True) in [(name, value) for name, value, _ in dongle.settings]
    with pytest.raises(ValueError, match="-d is for a dongle on this host, which --source sim"):
        build(98.5e6, source="sim", device="1", output=out)


def test_a_pipe_without_an_output_is_told_the_audio_goes_to_the_sound_card():
    """rtl_fm writes to stdout when given no file: `listen … | aplay` without `-` gets a note
    saying where the audio went and how to pipe it; with `-` the pipe gets the audio."""
    p = sdrflow("listen", "--source", "sim", "-f", "98.5M", "--seconds", "0.2")
    assert b"note: the audio goes to the sound card, not down the pipe; give -" in p.stderr
    assert p.stdout == b""
    p = sdrflow("listen", "--source", "sim", "-f", "98.5M", "--seconds", "0.2", "-")
    assert b"note:" not in p.stderr and len(p.stdout) == 2 * 9600


def test_audio_into_dev_null_or_a_named_pipe_goes_raw(tmp_path):
    """`-o /dev/null` for RDS alone, and a named pipe to a player, as raw S16LE."""
    p = sdrflow("listen", "--source", "sim", "-f", "98.5M", "--rds", "--seconds", "2", "-o",
                "/dev/null")
    assert p.returncode == 0 and b"RDS: ps 'SDRFLOW '" in p.stderr, p.stderr
    fifo = tmp_path / "audio"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    p = sdrflow("listen", "--source", "sim", "-f", "98.5M", "--seconds", "0.5", str(fifo))
    reader.join(60)
    assert p.returncode == 0 and len(got[0]) == 2 * 24000, p.stderr


def test_rtl_fms_direct_and_offset_options_reach_the_dongle(tmp_path):
    fg, status = build(7.1e6, mode="am", source="rtl?sim=1", direct=True, offset_tuning=True,
                       output=str(tmp_path / "hf.wav"), seconds=0.2)
    assert "on rtl?sim=1&direct=i&offset=1;" in status  # rtl_fm's -E direct: the I branch
    fg.run()
    settings = [(name, value) for name, value, _ in fg.listen_parts["source"].driver.settings]
    assert ("direct_sampling", 1) in settings and ("offset_tuning", True) in settings
    with pytest.raises(ValueError, match="outside the RTL-SDR tuners' range"):
        build(7.1e6, mode="am", source="rtl?sim=1", output=str(tmp_path / "hf.wav"))


def test_dc_blocking_takes_out_what_a_mistuned_station_leaves_in_fm_audio(tmp_path):
    """rtl_fm's -E dc: 10 kHz off a station of the simulated band, FM audio sits at
    −10/75 of full scale on average; blocked, at nothing."""
    means = []
    for dc_block in (False, True):
        out = tmp_path / f"dc{dc_block}.wav"
        fg, _ = build(98.51e6, source="rtl?sim=fmband", output=str(out), seconds=1.5,
                      dc_block=dc_block)
        fg.run()
        means.append(read_wav(out)[0][48000:, 0].mean())
    assert abs(means[0] / 32767 + 10 / 75) < 0.02
    assert abs(means[1]) < 1e-3 * 32767


def test_the_rtl_fm_wikis_own_line_plays_the_station():
    """rtl_fm -f 96.3e6 -M wbfm -s 200000 -r 48000 - | aplay …: below a dongle's rates, -s is
    rtl_fm's channel rate, so the channel's width; the dongle stays at 2.4 MS/s."""
    p = sdrflow("listen", "--source", "sim", "-f", "96.3e6", "-M", "wbfm", "-s", "200000", "-r",
                "48000", "--seconds", "1", "-")
    assert p.returncode == 0 and b"(wbfm, a 200 kHz channel)" in p.stderr, p.stderr
    assert b"sampling at 2.4e+06 S/s" in p.stderr
    pcm = np.frombuffer(p.stdout, "<i2").astype(float)
    assert len(pcm) == 48000 and sinad_db(pcm[9600:], 48e3, (1000, 3000)) >= 40
    fg, status = build(446e6, mode="fm", rate=12e3, source="sim:nbfm", output="-", seconds=1)
    assert "(fm, a 12 kHz channel)" in status
    assert fg.listen_parts["channel"].cutoff == 6e3  # ±6 kHz, as rtl_fm's 12 kHz channel


def test_without_r_the_audio_comes_at_rtl_fms_channel_rate_as_multimon_ng_expects():
    """rtl_fm -f 144.39M -M fm -s 22050 - | multimon-ng -t raw -a AFSK1200 /dev/stdin: with no
    -r, rtl_fm writes its audio at the channel rate, and multimon-ng reads it at 22050 Hz."""
    p = sdrflow("listen", "--source", "sim:nbfm", "-f", "144.39M", "-M", "fm", "-s", "22050",
                "--seconds", "1", "-")
    assert p.returncode == 0 and b"output at 22050 Hz" in p.stderr, p.stderr
    pcm = np.frombuffer(p.stdout, "<i2").astype(float)
    assert len(pcm) == 22050 and abs(tone_frequency(pcm[4410:], 22050) - 1000) < 2


def test_stereo_separates_left_and_right(tmp_path):
    out = tmp_path / "st.wav"
    fg, _ = build(98.5e6, stereo=True, source="sim:fm?stereo=1", output=str(out), seconds=2)
    fg.run()
    pcm, _ = read_wav(out)
    assert pcm.shape[1] == 2
    assert abs(tone_frequency(pcm[19200:, 0], 48e3) - 1000) < 2
    assert abs(tone_frequency(pcm[19200:, 1], 48e3) - 3000) < 2


@pytest.mark.parametrize("mode, tone", [("fm", 1000), ("am", 1000), ("usb", 1000), ("lsb", 1000)])
def test_narrow_modes_recover_the_simulated_tone(tmp_path, mode, tone):
    out = tmp_path / f"{mode}.wav"
    # -l 0 is rtl_fm's "no squelch"; taken as 0 dBFS it closed on every station.
    fg, _ = build(145.5e6, mode=mode, source=f"sim:{'nbfm' if mode == 'fm' else mode}",
                  output=str(out), seconds=1.5, squelch=0)
    fg.run()
    pcm, rate = read_wav(out)
    assert rate == 48000
    assert abs(tone_frequency(pcm[24000:, 0], 48e3) - tone) < 2
    assert sinad_db(pcm[24000:, 0], 48e3, (tone,)) >= 20


@pytest.mark.parametrize("output", [["-o", "-"], ["-"]])  # rtl_fm's way: last on the line
def test_raw_audio_to_stdout_for_aplay(output):
    p = sdrflow("listen", "--source", "sim", "-f", "98.5M", "-E", "dc", "--seconds", "1", *output)
    assert p.returncode == 0, p.stderr
    pcm = np.frombuffer(p.stdout, "<i2").astype(float)
    assert len(pcm) == 48000
    assert abs(tone_frequency(pcm[9600:], 48e3) - 1000) < 2 or \
        abs(tone_frequency(pcm[9600:], 48e3) - 3000) < 2


def test_the_simulated_dongle_at_3_2_msps_drops_nothing_through_listen(tmp_path):
    fg, _ = build(98.5e6, stereo=True, rate=3.2e6, source="rtl?sim=1",
                  output=str(tmp_path / "st.wav"), seconds=3)
    fg.run()
    row = next(r for r in fg.stats() if r["block"].startswith("RtlSdrSource"))
    assert row["samples_dropped"] == 0 and row["gaps"] == 0
    pcm, _ = read_wav(tmp_path / "st.wav")
    assert abs(len(pcm) - 3 * 48000) <= 1  # the resampler rounds its last output up


@pytest.mark.parametrize("args, message", [
    (["-f", "98.5M", "-M", "cw"], b"invalid choice: 'cw'"),
    (["-f", "5M"], b"outside the RTL-SDR tuners' range"),
    (["-f", "5M", "-r", "48k"], b"outside the RTL-SDR tuners' range"),  # -r skipped it once
    (["-f", "98.5M", "-s", "600k"], b"225001"),
    (["-f", "446M", "-M", "fm", "-s", "100k"], b"taken as rtl_fm's channel rate, but a fm"),
    (["-f", "98.5M", "--source", "nope://x"], b"accepted sources"),
    (["-f", "98.5M", "-M", "am", "--stereo", "--source", "sim"], b"stereo is for broadcast FM"),
    (["-f", "-5", "--source", "sim"], b"-f -5: a station's frequency is a positive number"),
    (["-f", "98.5M", "-M", "fm", "--rds", "--source", "sim"], b"--rbds and --rds-json are for one"),
    (["-f", "98.5M", "--rds-json", "-", "-o", "-", "--source", "sim"], b"both want stdout"),
    (["-f", "98.5M", "--rds-json", "/nonexistent/dir/g.jsonl", "--source", "sim", "-o", "-"],
     b"/nonexistent/dir/g.jsonl"),
    (["-f", "98.5M", "-E", "edge", "--source", "sim"], b"-E edge: there rtl_fm's -f names"),
    (["-f", "145.5M", "-M", "fm", "-l", "70", "--source", "sim:nbfm"],  # silence, before
     b"-l 70: here the squelch is the channel's power in dBFS, below 0"),
    (["-f", "446.0M", "-f", "446.1M", "-l", "0", "--source", "sim"], b"needs a squelch level"),
    (["-f", "98.5M", "-E", "deemp", "-E", "none", "--source", "sim"], b"contradict each other"),
    (["-f", "98.5M", "-E", "direct", "--source", "sim"],
     b"-E offset: for a dongle, on this host or behind rtl_tcp, which --source sim"),
    (["-f", "98.5M", "-o", "a.wav", "b.wav", "--source", "sim"], b"two outputs, -o a.wav and"),
])
def test_bad_input_is_refused_before_anything_opens(args, message):
    p = sdrflow("listen", *args)
    assert p.returncode == 2 and message in p.stderr and b"Traceback" not in p.stderr


def test_rds_json_logs_every_group_beside_the_audio(tmp_path):
    """--rds-json writes each group as redsea would print it, while the audio goes on."""
    out, log = tmp_path / "fm.wav", tmp_path / "groups.jsonl"
    p = sdrflow("listen", "--source", "sim", "-f", "98.5M", "--rds-json", str(log), "-o",
                str(out), "--seconds", "5")
    assert p.returncode == 0, p.stderr
    groups = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(groups) >= 40 and {g["pi"] for g in groups} == {"0x5DF0"}
    assert {g["ps"] for g in groups if "ps" in g} == {"SDRFLOW "}
    assert b"RDS: ps 'SDRFLOW '" in p.stderr  # --rds-json implies --rds
    assert read_wav(out)[1] == 48000


def test_a_station_of_the_simulated_band_names_the_sister_network_it_announces(tmp_path):
    p = sdrflow("listen", "--source", "sim:fmband", "-f", "95.2M", "--rds", "--seconds", "5",
                "-o", str(tmp_path / "news.wav"))
    assert p.returncode == 0, p.stderr
    assert b"RDS: ps 'NEWS 24 '" in p.stderr  # the band's station at 95.2 MHz, tuned beside it
    assert b"RDS: other network 0x5301 'CLASSIC '" in p.stderr  # from its 14A groups


def test_no_dongle_fails_with_exit_code_1():
    # And it does not claim to be tuned first: the status line comes once the source opened.
    for source in ("rtl", "rtl_tcp:127.0.0.1:9"):
        p = sdrflow("listen", "--source", source, "-f", "98.5M", "-o", "-", "--seconds", "1")
        assert p.returncode == 1 and p.stdout == b"" and b"Tuned to" not in p.stderr
        assert b"no RTL-SDR found" in p.stderr or b"cannot connect to rtl_tcp" in p.stderr
    p = sdrflow("record", "--source", "rtl", "-f", "98.5M", "-o", "-", "-n", "1k")
    assert p.returncode == 1 and p.stdout == b"" and b"Recording" not in p.stderr


def test_scanning_stops_on_the_busy_channel_like_rtl_fm(tmp_path):
    out = tmp_path / "scan.wav"
    fg, status = build(["100.10M:100.20M:25k"], mode="fm", squelch=-50, source="sim:band?at=100M",
                       output=str(out), seconds=2)
    assert status.startswith("Scanning 5 channels 100.1–100.2 MHz (fm)")
    fg.run()
    scanner = fg.listen_parts["scanner"]
    assert [round(hz) for _, hz, _ in scanner.hits] == [100_150_000]  # the NBFM station, once
    assert abs(scanner.hits[0][2] - -40) < 1  # its level in dBFS
    pcm, _ = read_wav(out)
    assert abs(tone_frequency(pcm[-48000:, 0], 48e3) - 700) < 2  # and we hear it


def test_scanning_is_refused_without_squelch_or_beyond_a_recordings_band(tmp_path):
    p = sdrflow("listen", "-f", "446.0M", "-f", "446.1M", "--source", "sim")
    assert p.returncode == 2 and b"needs a squelch level" in p.stderr
    recording = tmp_path / "band_100M_2.4M.cu8"
    np.full(2 * 240_000, 128, np.uint8).tofile(recording)
    p = sdrflow("listen", "-f", "100M:110M:1M", "-l", "-40", "--source", str(recording))
    assert p.returncode == 2 and b"more than the 1.92 MHz this sample rate covers, and " \
        b"%s cannot be retuned" % str(recording).encode() in p.stderr, p.stderr


def test_a_scan_wider_than_the_band_retunes_the_dongle_and_stops_on_the_station(tmp_path):
    """rtl_fm hops the dongle across a scan wider than its band (an airband scan): channels
    within 0.3 of the rate share a tuning. Here 97.0, 98.0 and 100.15 MHz take three, and the
    NBFM station of the simulated band at 100.15 MHz is found at its level and heard."""
    out = tmp_path / "wide.wav"
    fg, status = build(["97.0M", "98.0M", "100.15M"], mode="fm", squelch=-50,
                       source="sim:band?at=100M", output=str(out), seconds=2)
    assert status.startswith("Scanning 3 channels 97–100.15 MHz in 3 tunings (fm)")
    fg.run()
    scanner = fg.listen_parts["scanner"]
    assert scanner.tunings == [97.6e6, 98.6e6, 100.75e6]
    assert [round(hz) for _, hz, _ in scanner.hits] == [100_150_000]
    assert abs(scanner.hits[0][2] - -40) < 1
    pcm, _ = read_wav(out)
    assert abs(tone_frequency(pcm[-48000:, 0], 48e3) - 700) < 2


def test_a_wide_scan_waits_out_what_the_dongle_sent_from_before_each_retune(tmp_path):
    """After a retune the dongle still delivers its USB buffer in flight from the old
    frequency: 98.5 MHz (a strong station) where 101.0 MHz will be heard. The scan waits for
    the source's rx_freq tag and the source's retune_settle, so it finds nothing on these
    three empty channels; without that wait it found the station's ghost at 101.0 MHz."""
    for wait in (True, False):
        fg, _ = build(["98.4M", "98.6M", "101.0M"], mode="fm", squelch=-50,
                      source="rtl?sim=fmband", output=str(tmp_path / "g.wav"), seconds=2)
        scanner = fg.listen_parts["scanner"]
        assert scanner.tunings == [99.1e6, 99.1e6, 101.6e6]  # 98.5 MHz is 0.6 below 99.1
        if not wait:
            scanner.settle = scanner.retune_settle = 0.0
        fg.run()
        hops = [hz for name, hz, _ in fg.listen_parts["source"].driver.settings
                if name == "center_freq"]
        if wait:
            assert hops.count(101.6e6) >= 3 and scanner.hits_found == 0  # rounds, nothing heard
        else:  # each ghost holds the scan for its hang
            assert scanner.hits and {hz for _, hz, _ in scanner.hits} == {101e6}


def test_a_recording_named_as_sdr_programs_name_them_gives_its_centre(tmp_path):
    # SDR# names its baseband recordings …_98500000Hz_IQ.wav: the station 200 kHz above the
    # centre is found at 98.7 MHz, as it would be on the air.
    named = tmp_path / "SDRSharp_20261128_120000Z_98500000Hz_IQ.wav"
    p = sdrflow("record", "--source", "sim:fm?offset=200000", "-f", "98.5M", "-o", str(named),
                "--seconds", "1", "-q")
    assert p.returncode == 0, p.stderr
    assert b"frequency    98.5 MHz" in sdrflow("info", str(named)).stdout
    out = tmp_path / "a.wav"
    p = sdrflow("listen", "-f", "98.7M", "--source", str(named), "-o", str(out))
    assert p.returncode == 0, p.stderr
    pcm, _ = read_wav(out)
    assert sinad_db(pcm[9600:, 0], 48e3, (1000, 3000)) >= 30
    # The same file without the frequency in its name: its centre is taken as the station's.
    plain = tmp_path / "plain.wav"
    plain.write_bytes(named.read_bytes())
    p = sdrflow("listen", "-f", "98.7M", "--source", str(plain), "-o", str(out))
    assert p.returncode == 0, p.stderr
    assert sinad_db(read_wav(out)[0][9600:, 0], 48e3, (1000, 3000)) < 10


def test_a_name_read_wrongly_is_named_in_the_error_with_the_way_out(tmp_path):
    # rtl_433's rule reads "2.4M" as the centre; the user meant the rate.
    path = tmp_path / "capture_2.4M.cu8"
    np.full(2 * 240_000, 128, np.uint8).tofile(path)
    p = sdrflow("listen", "-f", "98.5M", "--source", str(path), "-o", str(tmp_path / "a.wav"))
    assert p.returncode == 2 and b"outside the 2.4e+06 Hz band; the centre 2.4 MHz from the name " \
        b"capture_2.4M.cu8" in p.stderr and b"?freq=" in p.stderr, p.stderr
    p = sdrflow("listen", "-f", "98.5M", "--source", f"file:{path}?freq=98.5M", "-o",
                str(tmp_path / "a.wav"))
    assert p.returncode == 0, p.stderr

