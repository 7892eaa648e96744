"""``sdrflow record``, ``sdrflow info``, ``sdrflow devices``: rtl_sdr's job for any source, what
a recording holds, and which dongles are attached.

    sdrflow record --source rtl -f 98.5M -s 2.4M -o fm.cu8 --seconds 10
    sdrflow record -f 98.5M -s 2.4M -n 24M -p 1 -d 0 fm.cu8   # rtl_sdr's line, as it is
    sdrflow record --source sim -f 98.5M -o station.sigmf-meta --seconds 2
    sdrflow info station.sigmf-meta
    sdrflow devices
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from .core import (FAILED, OK, USAGE, add_dongle_letters, add_output, is_stream, output_of,
                   refused_code, run_graph, si)

FORMATS = {".cu8": "cu8", ".cs8": "cs8", ".cs16": "cs16", ".cf32": "cf32"}
WIDTH = {"cu8": 2, "cs8": 2, "cs16": 4, "cf32": 8}


def record_parser():
    ap = argparse.ArgumentParser(prog="sdrflow record", description="Record any source to "
                                 ".cu8, .cs8, .cs16, .cf32, SigMF (.sigmf-meta) or I/Q WAV.")
    ap.add_argument("--source", default="rtl", help="what to record (rtl)")
    add_output(ap, "FILE.cu8|.cs8|.cs16|.cf32|.sigmf-meta|.wav (16-bit stereo, I left, Q "
                   "right, as SDR# and SDR++ record baseband), - for standard output, or a "
                   "pipe or device (/dev/null) written as --format says")
    ap.add_argument("--format", choices=sorted(WIDTH), default=None,
                    help="with -o - or a pipe: the samples' format (cu8, rtl_sdr's)")
    ap.add_argument("-f", "--frequency", type=si, default=None, help="centre frequency")
    ap.add_argument("-s", "--rate", type=si, default=None, help="sample rate (2.4M for radios)")
    ap.add_argument("-g", "--gain", type=si, default=None, help="tuner gain in dB (automatic)")
    add_dongle_letters(ap)
    length = ap.add_mutually_exclusive_group()
    length.add_argument("--seconds", type=si, default=None,
                        help="stop after this long (0: until stopped, as without it)")
    length.add_argument("-n", "--samples", type=si, default=None,
                        help="stop after this many samples (rtl_sdr's -n; 0: until stopped)")
    ap.add_argument("--stats", action="store_true", help="print counters at the end (stderr)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    return ap


def build_record(source, output, frequency=None, rate=None, gain=None, seconds=None, samples=None,
                 format=None):
    from sdrflow import Flowgraph
    from sdrflow import blocks as b

    from ..sources import open_source, parse

    spec = parse(source)
    lower = output.lower()
    if lower.endswith(".sigmf"):
        base = output[:-len(".sigmf")]
        raise ValueError(f"-o {output}: a .sigmf file is a SigMF archive, which sdrflow does not "
                         f"write; give {base}.sigmf-meta for a recording (written as "
                         f"{base}.sigmf-meta and {base}.sigmf-data)")
    stream = is_stream(output)  # stdout, a named pipe, /dev/null: raw samples, cu8 unless told
    sigmf = not stream and lower.endswith((".sigmf-meta", ".sigmf-data"))
    wav = not stream and lower.endswith(".wav")
    if format is not None and not stream:
        raise ValueError(f"--format is for -o - (standard output) or a pipe; {output}'s format "
                         f"comes from its name")
    fmt = format or "cu8" if stream else \
        None if sigmf or wav else FORMATS.get(os.path.splitext(lower)[1])
    if not sigmf and not wav and fmt is None:
        raise ValueError(f"-o {output}: name the file .cu8, .cs8, .cs16, .cf32, .sigmf-meta or "
                         f".wav, or give - for standard output")
    for name, value in (("--seconds", seconds), ("-n", samples)):
        if value is not None and not value >= 0:
            raise ValueError(f"{name} {value:g}: a length is ≥ 0 (0 records until stopped)")
    seconds = seconds or None  # 0: until stopped, as rtl_sdr's -n 0
    samples = samples or None
    if spec.kind == "sim" and seconds is None and samples is None:
        raise ValueError("the simulation is endless: give --seconds or --samples (more than 0)")
    opened = open_source(source, frequency=frequency, rate=rate, gain=gain,
                         seconds=seconds if spec.kind == "sim" else None)
    total = int(samples) if samples is not None else \
        int(round(seconds * opened.rate)) if seconds is not None else None
    fg = Flowgraph(chunk=65536)
    chain = [opened.block]
    if total is not None:
        chain.append(b.Head(total))
    if sigmf:
        hardware = "RTL-SDR" if spec.kind == "rtl" else "rtl_tcp" if spec.kind == "rtl_tcp" else ""
        sink = b.SigMFSink(output, frequency=opened.frequency, description=f"sdrflow record {source}",
                           hardware=hardware)
    elif wav:  # I on the left, Q on the right
        sink, parts = b.WAVSink(output, channels=2), b.ComplexToFloat()
        fg.connect(*chain, parts)
        fg.connect((parts, "real"), (sink, "left"))
        fg.connect((parts, "imag"), (sink, "right"))
        return fg, total, opened
    else:
        sink = b.FileSink(output, format=fmt)
    fg.connect(*chain, sink)
    return fg, total, opened


def main_record(argv) -> int:
    from ..errors import GraphError
    from .core import progress

    from ..sources import on_dongle

    ap = record_parser()
    args = ap.parse_args(argv)
    args.output = output_of(ap, args)
    if args.output is None:
        ap.error("give the file to write: -o FILE, or FILE last as rtl_sdr takes it "
                 "(- for standard output)")
    try:
        args.source = on_dongle(args.source, "-p", args.device, ppm=args.ppm)
        fg, total, opened = build_record(args.source, args.output, args.frequency, args.rate,
                                         args.gain, args.seconds, args.samples, args.format)
    except (ValueError, GraphError) as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    try:
        fg.start()
    except (ValueError, GraphError) as e:  # refused at start: no dongle, an output it cannot write
        sys.stderr.write(f"error: {e}\n")
        return refused_code(e)
    sys.stderr.write(f"Recording {args.source} at {opened.rate:g} S/s to {args.output}\n")
    with progress(fg, opened.block, total, "samples", quiet=args.quiet):
        code = run_graph(fg, stats=args.stats)
    if not args.quiet:  # what the file holds, however the run ended
        sink = next(b for b in reversed(fg.blocks) if not b.outputs)
        written = next(r["items_in"] for r in fg.stats() if r["block"] == sink.name)
        to_file = args.output != "-"  # on standard output the reader may have left (| head)
        short = f"; the source ended before the {total} asked" \
            if total and written < total and code == OK and to_file else ""
        sys.stderr.write(f"recorded {written} samples ({written / opened.rate:.3g} s) to "
                         f"{args.output if to_file else 'standard output'}{short}\n")
    return code


def describe(path: str) -> dict:
    """What a recording holds: format, rate, centre, duration, size; SigMF captures and
    annotations. Raises ValueError with the reason when it cannot be read."""
    from ..sources import file_format, name_info

    if not os.path.exists(path):
        raise ValueError(f"no such file: {path}")
    fmt = file_format(path)
    if fmt.startswith("sigmf"):
        from sigmf import sigmffile

        from sdrflow.blocks.sigmf_source import sigmf_base

        base = sigmf_base(path)
        try:
            record = sigmffile.fromfile(base + ".sigmf-meta", skip_checksum=True)
        except Exception as e:
            raise ValueError(f"{base}.sigmf-meta is not SigMF sdrflow can read: {e}") from e
        rate = record.get_global_field("core:sample_rate")
        datatype = record.get_global_field("core:datatype")
        data = base + ".sigmf-data"
        size = os.path.getsize(data) if os.path.exists(data) else None
        width = {"cu8": 2, "ci8": 2, "ci16_le": 4, "cf32_le": 8, "rf32_le": 4}.get(datatype)
        samples = size // width if size is not None and width else None
        captures = [{"sample_start": c.get("core:sample_start", 0), "frequency": c.get("core:frequency"),
                     "datetime": c.get("core:datetime")} for c in record.get_captures()]
        return {"file": path, "format": f"SigMF {datatype}", "sample_rate": rate,
                "frequency": captures[0]["frequency"] if captures else None,
                "samples": samples, "seconds": samples / rate if samples and rate else None,
                "bytes": size, "hardware": record.get_global_field("core:hw"),
                "captures": captures,
                "annotations": [{"sample_start": a.get("core:sample_start"),
                                 "sample_count": a.get("core:sample_count"),
                                 "label": a.get("core:label")} for a in record.get_annotations()]}
    if fmt == "wav":
        from sdrflow.blocks._wav import read_layout

        try:
            w = read_layout(path)
        except ValueError as e:
            raise ValueError(f"{path} is not a WAV file sdrflow can read: {e}") from e
        size = os.path.getsize(path)
        frames = min(w.frames, (size - w.data_offset) // w.frame_bytes)  # what a cut file holds
        return {"file": path, "format": w.describe(), "sample_rate": w.rate,
                "frequency": name_info(path)[0], "samples": frames, "seconds": frames / w.rate,
                "bytes": size}
    size = os.path.getsize(path)
    samples = size // WIDTH[fmt]
    frequency, rate = name_info(path)
    if rate:
        return {"file": path, "format": fmt, "sample_rate": rate, "frequency": frequency,
                "samples": samples, "seconds": samples / rate, "bytes": size,
                "note": "rate and frequency as the name gives them"}
    return {"file": path, "format": fmt, "sample_rate": None, "frequency": frequency,
            "samples": samples, "seconds": None, "bytes": size,
            "note": "a raw recording does not say its rate: seconds = samples / rate"}


def main_info(argv) -> int:
    ap = argparse.ArgumentParser(prog="sdrflow info", description="What a recording holds.")
    ap.add_argument("file")
    ap.add_argument("--json", action="store_true", help="as JSON")
    args = ap.parse_args(argv)
    try:
        info = describe(args.file)
    except ValueError as e:  # a path or a file that is not a recording: as for every command
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    if args.json:
        print(json.dumps(info))
        return OK
    from ..units import si_format

    for key in ("file", "format", "sample_rate", "frequency", "samples", "seconds", "bytes",
                "hardware", "note"):
        value = info.get(key)
        if value is None:
            continue
        if key == "sample_rate":
            value = si_format(value, "S/s")
        elif key == "frequency":
            value = si_format(value)
        elif key == "seconds":
            value = f"{value:.3f} s"
        print(f"{key.replace('_', ' '):12} {value}")
    for c in info.get("captures", []):
        print(f"capture      at sample {c['sample_start']}: "
              f"{si_format(c['frequency']) if c['frequency'] else 'frequency unknown'}"
              f"{', ' + c['datetime'] if c.get('datetime') else ''}")
    for a in info.get("annotations", []):
        print(f"annotation   at sample {a['sample_start']} (+{a['sample_count']}): {a['label']}")
    return OK


def list_devices(driver=None) -> list:
    """Attached dongles as dicts (index, name, serial, tuner); [] when there are none."""
    if driver is None:
        try:
            from rtlsdr import librtlsdr
        except (ImportError, AttributeError, OSError) as e:
            raise ValueError(f"cannot load librtlsdr ({e}); install pyrtlsdr[lib]") from e
        driver = librtlsdr
    import ctypes

    found = []
    for i in range(driver.rtlsdr_get_device_count()):
        manufact, product, serial = (ctypes.create_string_buffer(256) for _ in range(3))
        driver.rtlsdr_get_device_usb_strings(i, manufact, product, serial)
        found.append({"index": i, "name": driver.rtlsdr_get_device_name(i).decode(errors="replace"),
                      "serial": serial.value.decode(errors="replace"),
                      "vendor": manufact.value.decode(errors="replace"),
                      "product": product.value.decode(errors="replace"),
                      "tuner": _tuner(driver, i)})
    return found


#: librtlsdr's tuner enum (rtlsdr_get_tuner_type).
TUNERS = {0: "unknown", 1: "E4000", 2: "FC0012", 3: "FC0013", 4: "FC2580", 5: "R820T", 6: "R828D"}


def _tuner(driver, index: int) -> str:
    """The tuner chip, which librtlsdr tells only once the device is opened; "in use" when
    another program holds the dongle."""
    import ctypes

    dev = ctypes.c_void_p()
    if driver.rtlsdr_open(ctypes.byref(dev), index) != 0:
        return "in use (another program holds it)"
    try:
        return TUNERS.get(driver.rtlsdr_get_tuner_type(dev), "unknown")
    finally:
        driver.rtlsdr_close(dev)


def main_devices(argv) -> int:
    ap = argparse.ArgumentParser(prog="sdrflow devices", description="Attached RTL-SDR dongles.")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    try:
        found = list_devices()
    except ValueError as e:
        sys.stderr.write(f"error: {e}\n")
        return FAILED
    if args.json:
        print(json.dumps(found))
    elif not found:
        print("none: no RTL-SDR dongle is attached (or the DVB kernel driver holds it)")
    for d in found:
        print(f"{d['index']}: {d['name']} ({d['vendor']} {d['product']}), serial {d['serial']}, "
              f"tuner {d['tuner']}")
    return OK
