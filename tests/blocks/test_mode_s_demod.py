"""Mode S / ADS-B on the real 1090 MHz capture, against dump1090's frames."""
import collections

import numpy as np
import pytest

from sdrflow import Flowgraph
from sdrflow.blocks import FileSource, MessageSink, ModeSDemod, SignalSource, Head


def decode(real_data, fix, chunk=50_000):
    fg = Flowgraph(chunk=chunk)
    demod, msgs = ModeSDemod(fix=fix), MessageSink()
    fg.connect(FileSource(str(real_data / "adsb" / "modes1_1090M_2000k.cu8"), rate=2e6), demod)
    fg.connect((demod, "frames"), (msgs, "in"))
    fg.run()
    assert msgs.messages == list(demod.frames) and demod.frames_found == len(msgs.messages)
    return list(demod.frames)


def reference(real_data, name):
    lines = (real_data / "adsb" / name).read_text().split()
    return collections.Counter(line.strip("*;") for line in lines if line.startswith("*"))


@pytest.mark.parametrize("fix", [True, False])
def test_finds_dump1090s_frames_in_the_real_capture(real_data, fix):
    frames = decode(real_data, fix)
    ours = collections.Counter(f["raw"] for f in frames)
    ref = reference(real_data, "modes1.dump1090.raw.txt")
    # all of dump1090's 217, compared frame by frame, with single-bit repair and without
    # (three of them need dump1090's phase correction, early/late from the preamble)
    assert sum((ours & ref).values()) == 217
    assert frames[0]["raw"] == "8f4d2023587f345e35837e2218b2"
    # Every frame, the ones dump1090 did not print included, is from the one aircraft there:
    # a frame passing the CRC by chance would name a random address.
    assert {f["icao"] for f in frames} == {"4d2023"}
    by_df = collections.Counter(f["df"] for f in frames)
    assert by_df[17] >= 120 and by_df[11] >= 60 and set(by_df) <= {0, 4, 5, 11, 17, 20, 21}
    assert all(f["crc"] in ("ok", "address") for f in frames) or fix


def test_chunking_does_not_change_the_frames(real_data):
    whole = decode(real_data, True, chunk=400_000)
    small = decode(real_data, True, chunk=1_777)
    assert [(f["raw"], f["time"]) for f in whole] == [(f["raw"], f["time"]) for f in small]


def capture_at_2_4_msps(real_data, tmp_path):
    """modes1 as a dongle at 2.4 Msps would have delivered it: resampled by 6/5 (scipy) and
    quantised back to cu8."""
    from scipy.signal import resample_poly

    raw = np.fromfile(real_data / "adsb" / "modes1_1090M_2000k.cu8", np.uint8).astype(np.float64)
    x = resample_poly((raw[0::2] - 127.5) + 1j * (raw[1::2] - 127.5), 6, 5)
    iq = np.empty(2 * len(x), np.uint8)
    iq[0::2] = np.clip(np.round(x.real + 127.5), 0, 255)
    iq[1::2] = np.clip(np.round(x.imag + 127.5), 0, 255)
    path = tmp_path / "modes1_2400k.cu8"
    iq.tofile(path)
    return path


def test_finds_dump1090s_frames_at_2_4_msps(real_data, tmp_path):
    path = capture_at_2_4_msps(real_data, tmp_path)
    runs = []
    for chunk in (65536, 1777):
        fg = Flowgraph(chunk=chunk)
        demod = ModeSDemod()
        fg.connect(FileSource(str(path), rate=2.4e6), demod)
        fg.run()
        runs.append(list(demod.frames))
    assert [(f["raw"], f["time"]) for f in runs[0]] == [(f["raw"], f["time"]) for f in runs[1]]
    ours = collections.Counter(f["raw"] for f in runs[0])
    ref = reference(real_data, "modes1.dump1090.raw.txt")
    assert sum((ours & ref).values()) >= 216  # 216 measured; all 217 at the native 2 Msps
    assert {f["icao"] for f in runs[0]} == {"4d2023"}
    # The same frames at the same times: the resampler's delay is taken off.
    native = collections.defaultdict(list)
    for f in decode(real_data, True):
        native[f["raw"]].append(f["time"])
    shifts = [min(abs(f["time"] - t) for t in native[f["raw"]]) for f in runs[0] if f["raw"] in native]
    assert sum(s < 0.3e-6 for s in shifts) >= 270  # of 281; the rest are repeats found once


def test_needs_two_or_2_4_msps_and_finds_nothing_in_a_tone():
    fg = Flowgraph()
    fg.connect(SignalSource(1e3, rate=1.8e6), Head(1000), ModeSDemod())
    with pytest.raises(ValueError, match="needs 2 or 2.4 Msps"):
        fg.start()
    fg = Flowgraph()
    demod = ModeSDemod()
    fg.connect(SignalSource(1e3, rate=2e6), Head(200_000), demod)
    fg.run()
    assert list(demod.frames) == [] and demod.frames_found == 0


def test_decoded_fields_and_positions_match_pymodes_reference(real_data):
    from sdrflow.blocks import ModeSDecoder
    fg = Flowgraph()
    demod, decoder, out = ModeSDemod(), ModeSDecoder(), MessageSink()
    fg.connect(FileSource(str(real_data / "adsb" / "modes1_1090M_2000k.cu8"), rate=2e6), demod)
    fg.connect((demod, "frames"), (decoder, "in"))
    fg.connect((decoder, "out"), (out, "in"))
    fg.run()
    assert len(out.messages) == len(demod.frames)
    plane = decoder.aircraft["4D2023"]
    assert plane["callsign"].strip("_ ") == "AMC421" and plane["squawk"] == "0112"
    # Frames dump1090 also printed decode to exactly the fields of the pyModeS reference.
    import json
    reference = {}
    for line in (real_data / "adsb" / "modes1.pymodes.jsonl").read_text().splitlines():
        entry = json.loads(line)
        reference[entry.pop("msg")] = entry
    shared = [m for m in out.messages if m["raw"] in reference]
    assert len(shared) >= 200
    for m in shared:  # the reference's stateful decoder blanked some CPR fields and flagged
        # altitude jumps between frames: compare the rest, field by field
        want = {k: v for k, v in reference[m["raw"]].items()
                if v is not None and k != "altitude_mismatch"}
        assert {k: m.get(k) for k in want} == want, m["raw"]
    # The frames only sdrflow kept continue the same descent (they read a little lower).
    altitudes = [m["altitude"] for m in out.messages if m.get("altitude") and m["df"] == 17]
    assert max(altitudes) == 24275 and 19_500 <= min(altitudes) <= 20750
    ref = np.loadtxt(real_data / "adsb" / "modes1.positions.txt", usecols=(3, 4))
    ours = np.array([(lat, lon) for _, _, _, lat, lon in decoder.positions])
    assert len(ours) >= 45  # the reference has 57 fixes from dump1090's frames
    assert ours[0] == pytest.approx(ref[0], abs=0.01)
    within = ours[ours[:, 0] >= ref[:, 0].min() - 0.005]  # the stretch the reference covers
    nearest = np.min(np.hypot(within[:, None, 0] - ref[None, :, 0], within[:, None, 1] - ref[None, :, 1]), axis=1)
    assert len(within) >= 40 and np.all(nearest < 0.02)  # on the reference track (0.02° ≈ 2 km)
    # and the whole track heads where the aircraft said it flew (track ≈ 158°)
    north, east = ours[-1, 0] - ours[0, 0], (ours[-1, 1] - ours[0, 1]) * np.cos(np.radians(37))
    assert np.degrees(np.arctan2(east, north)) % 360 == pytest.approx(158, abs=5)


_FRAMES = {}


def modes1_frames(real_data):
    """ModeSDemod's frames of modes1, in order (found once per test session)."""
    if "frames" not in _FRAMES:
        _FRAMES["frames"] = decode(real_data, True)
    return _FRAMES["frames"]


def decoded(real_data, keep=lambda frame: True, **options):
    """A ModeSDecoder fed the kept frames of modes1 in order; returns it and what it posted."""
    from sdrflow.blocks import ModeSDecoder

    dec, posted = ModeSDecoder(**options), []
    dec.start(2e6)
    dec.post = lambda port, message: posted.append(message)
    for frame in modes1_frames(real_data):
        if keep(frame):
            dec.handle_message("in", frame)
    return dec, posted


def on_reference_track(real_data, positions):
    ref = np.loadtxt(real_data / "adsb" / "modes1.positions.txt", usecols=(3, 4))
    ours = np.array(positions)
    span = (ours[:, 0] >= ref[:, 0].min() - 0.005) & (ours[:, 0] <= ref[:, 0].max() + 0.005)
    within = ours[span]  # the stretch of flight the reference covers
    nearest = np.min(np.hypot(within[:, None, 0] - ref[None, :, 0], within[:, None, 1] - ref[None, :, 1]), axis=1)
    return len(within), float(nearest.max())


def odd_cpr_or_not_a_position(frame):
    raw = frame["raw"]
    if frame["df"] != 17 or not 9 <= int(raw[8:10], 16) >> 3 <= 18:
        return True
    return (int(raw[8:22], 16) >> 34) & 1 == 1  # the CPR format bit of the ME field


def test_single_message_positions_near_the_receiver(real_data):
    # Only the odd CPR frames: no pair ever forms, yet each gets a position, the first from
    # the receiver's position, the others from the aircraft's last one, as dump1090 does.
    dec, posted = decoded(real_data, keep=odd_cpr_or_not_a_position, reference=(37.0, 13.8))
    fixes = [m for m in posted if m.get("latitude") is not None]
    assert len(fixes) >= 25 and all(m["cpr_format"] == 1 for m in fixes)
    assert [m["position_from"] for m in fixes[:2]] == ["receiver", "last"]
    assert {m["position_from"] for m in fixes[1:]} == {"last"}
    count, worst = on_reference_track(real_data, [(m["latitude"], m["longitude"]) for m in fixes])
    assert count >= 20 and worst < 0.02
    # without a reference the same frames give no position at all
    _, posted = decoded(real_data, keep=odd_cpr_or_not_a_position)
    assert not any(m.get("latitude") is not None for m in posted)


def test_pairs_first_then_single_messages(real_data):
    pairs, _ = decoded(real_data)
    both, posted = decoded(real_data, reference=(37.0, 13.8))
    assert len(both.positions) >= len(pairs.positions)
    assert {m["position_from"] for m in posted if m.get("latitude") is not None} >= {"pair"}
    a = {(t, icao): (lat, lon) for t, icao, _, lat, lon in pairs.positions}
    b = {(t, icao): (lat, lon) for t, icao, _, lat, lon in both.positions}
    assert all(np.hypot(*np.subtract(a[k], b[k])) < 1e-4 for k in a)  # same fixes where both have one


def simulated(seconds, **kw):
    """ModeSSource's default traffic through ModeSDemod and ModeSDecoder."""
    from sdrflow.blocks import ModeSDecoder, ModeSSource

    fg = Flowgraph(chunk=65536)
    source, demod, decoder, out = ModeSSource(seconds=seconds), ModeSDemod(), ModeSDecoder(**kw), MessageSink()
    fg.connect(source, demod)
    fg.connect((demod, "frames"), (decoder, "in"))
    fg.connect((decoder, "out"), (out, "in"))
    fg.run()
    return source, decoder, out.messages


def test_simulated_flights_decode_to_where_the_aircraft_were():
    """Every frame of the two simulated airliners is decoded; each position (from even/odd
    pairs) lies within 10 m of the aircraft at the frame's time, altitudes within the 25 ft
    step, and speed, track and climb within the velocity frame's steps."""
    source, decoder, posted = simulated(3.0)
    assert sorted(m["raw"] for m in posted) == sorted(raw for _, raw in source.sent)
    flights = {f"{f.icao:06X}": f for f in source.flights}
    assert len(decoder.positions) >= 2 * 25 and decoder.positions_found == len(decoder.positions)
    for t, icao, feet, lat, lon in decoder.positions:
        true_lat, true_lon, true_feet = flights[icao].at(t)
        north = (lat - true_lat) * 111_320
        east = (lon - true_lon) * 111_320 * np.cos(np.radians(true_lat))
        assert np.hypot(north, east) < 10 and abs(feet - true_feet) <= 12.5, (t, icao)
    for icao, flight in flights.items():
        plane = decoder.aircraft[icao]
        assert plane["callsign"].strip("_ ") == flight.callsign
        assert abs(plane["groundspeed"] - flight.knots) <= 1.5
        assert abs((plane["track"] - flight.track + 180) % 360 - 180) <= 0.5
        assert abs(plane["vertical_rate"] - flight.fpm) <= 32
    climbing = [feet for _, icao, feet, _, _ in decoder.positions if icao == "3C6586"]
    assert climbing[-1] - climbing[0] >= 50  # 1500 ft/min for most of 3 s, in 25 ft steps


def test_decoder_keeps_the_latest_positions_and_counts_them_all(monkeypatch):
    from sdrflow.blocks import ModeSDecoder

    monkeypatch.setattr(ModeSDecoder, "KEEP_POSITIONS", 5)
    _, decoder, _ = simulated(1.0)
    assert len(decoder.positions) == 5 and decoder.positions_found > 10


def test_a_simulated_flight_can_run_for_days_without_a_jump():
    """Out and back every half hour, levelling off: over three days every frame encodes, the
    aircraft stays within a quarter of an hour's flight of its start and between 1000 and
    40000 ft, and it never jumps (a second's flight at most between frames a second apart)."""
    from sdrflow.blocks.mode_s_source import Flight

    flight = Flight(0x3C6586, "DLH9LF", 52.40, 4.95, 12000, 80, 300, 1500)
    t = np.arange(0, 3 * 86400, 1.0)
    path = np.array([flight.at(s) for s in t])
    north = np.diff(path[:, 0]) * 60  # nautical miles
    east = np.diff(path[:, 1]) * 60 * np.cos(np.radians(52.4))
    assert np.max(np.hypot(north, east)) <= 300 / 3600 * 1.001
    assert np.max(np.abs(path[:, 0] - 52.40)) * 60 <= 300 * 0.25 and 12000 <= path[:, 2].min()
    assert path[:, 2].max() == 40000 and flight.motion(3 * 86400)[1] == 0
    for k, s in enumerate(t[::997]):
        assert len(flight.frame(k, s)) == 14


def test_simulated_aircraft_are_checked_where_they_are_given():
    from sdrflow.blocks import ModeSSource

    for bad, message in [(((0x4D2023, "AMC421", 52.0),), "each aircraft is"),
                         (((0x4D2023, "AMC421", 52.0, 4.0, 60000, 0, 400, 0),), "altitude"),
                         (((0x4D2023, "AMC421", 89.0, 4.0, 1000, 0, 400, 0),), "latitude"),
                         (((1 << 24, "AMC421"),), "24 bits"), (((1, "AMC!"),), "callsign")]:
        with pytest.raises(ValueError, match=message):
            ModeSSource(bad)


def test_aircraft_gone_quiet_leave_the_decoder_and_the_table(monkeypatch):
    """A receiver that runs for weeks holds what is in the air: the decoder forgets an
    aircraft ten minutes (of stream time) after its last frame, the table drops it after
    ``ttl`` seconds, as dump1090's interactive mode does."""
    from sdrflow.blocks import ModeSDecoder, ModeSOutput
    from sdrflow.blocks import mode_s_output
    from sdrflow.blocks.mode_s_source import airborne_position, identification

    decoder = ModeSDecoder()
    decoder.start(None)
    decoder.handle_message("in", {"raw": identification(0x4D2023, "AMC421").hex(), "time": 0.0})
    decoder.handle_message("in", {"raw": airborne_position(0x4D2023, 52.0, 4.0, 9000, False).hex(), "time": 1.0})
    decoder.handle_message("in", {"raw": identification(0x3C6586, "DLH9LF").hex(), "time": 590.0})
    assert set(decoder.aircraft) == {"4D2023", "3C6586"}
    decoder.handle_message("in", {"raw": identification(0x3C6586, "DLH9LF").hex(), "time": 700.0})
    assert set(decoder.aircraft) == {"3C6586"} and not decoder._last and not decoder._cpr

    clock = [1000.0]
    monkeypatch.setattr(mode_s_output.time, "monotonic", lambda: clock[0])
    out = ModeSOutput(stdout="", ttl=60)
    frame = lambda icao, call: {"raw": identification(icao, call).hex(), "icao": f"{icao:06x}", "callsign": call}
    out.handle_message("in", frame(0x4D2023, "AMC421"))
    clock[0] += 30
    out.handle_message("in", frame(0x3C6586, "DLH9LF"))
    assert [row.split()[1] for row in out.table().splitlines()[2:]] == ["DLH9LF", "AMC421"]
    clock[0] += 45  # AMC421 last heard 75 s ago, DLH9LF 45 s ago
    assert [row.split()[1] for row in out.table().splitlines()[2:]] == ["DLH9LF"]
    out.handle_message("in", frame(0x3C6586, "DLH9LF"))
    assert set(out.aircraft) == {"3C6586"} and out.counters()["aircraft"] == 1
    with pytest.raises(ValueError, match="ttl"):
        ModeSOutput(ttl=0)


def test_decoder_refuses_a_bad_reference():
    from sdrflow.blocks import ModeSDecoder

    for bad in ((95.0, 0.0), (0.0, 200.0), "north", (1.0,)):
        with pytest.raises(ValueError, match="reference"):
            ModeSDecoder(reference=bad)


def test_sbs_lines_as_dump1090_serves_them(real_data):
    from datetime import datetime

    from sdrflow.blocks.mode_s_output import sbs

    _, posted = decoded(real_data, reference=(37.0, 13.8))
    when = datetime(2026, 11, 28, 4, 5, 6, 789000)
    lines = [line.split(",") for line in (sbs(m, when) for m in posted) if line]
    assert {"1", "3", "4", "5", "6", "8"} <= {row[1] for row in lines}
    for row in lines:
        assert len(row) == 22 and row[0] == "MSG" and row[4] == "4D2023"
        assert row[6:10] == ["2026/11/28", "04:05:06.789", "2026/11/28", "04:05:06.789"]
    assert next(row for row in lines if row[1] == "1")[10] == "AMC421"
    position = next(row for row in lines if row[1] == "3" and row[14])
    assert 36.9 < float(position[14]) < 37.2 and 13.7 < float(position[15]) < 13.9 and int(position[11]) > 19000
    velocity = next(row for row in lines if row[1] == "4")
    assert 370 <= float(velocity[12]) <= 390 and abs(float(velocity[13]) - 158) < 3 and int(velocity[16]) < 0
    assert next(row for row in lines if row[1] == "6")[17] == "0112"


@pytest.mark.parametrize("rate", [2e6, 2.4e6])
def test_a_frame_in_the_last_samples_of_a_recording_is_found(real_data, tmp_path, rate):
    """The recording cut 2 µs after a frame: the search window that ``work`` waits for never
    comes, and the end of the stream completes it."""
    path = real_data / "adsb" / "modes1_1090M_2000k.cu8"
    if rate != 2e6:
        path = capture_at_2_4_msps(real_data, tmp_path)
    frames = decode_file(path, rate)
    for df, nbits in ((11, 56), (17, 112)):
        last = [f for f in frames if f["df"] == df][-1]
        end = round((last["time"] + (8 + nbits + 2) * 1e-6) * rate)
        cut = tmp_path / f"cut{df}.cu8"
        cut.write_bytes(path.read_bytes()[:2 * end])
        found = decode_file(cut, rate)
        assert found[-1]["raw"] == last["raw"] and found[-1]["time"] == last["time"]
        assert [f["raw"] for f in found] == [f["raw"] for f in frames if f["time"] <= last["time"]]


def decode_file(path, rate):
    fg = Flowgraph(chunk=65536)
    demod = ModeSDemod()
    fg.connect(FileSource(str(path), rate=rate), demod)
    fg.run()
    return list(demod.frames)
