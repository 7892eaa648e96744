"""``sdrflow scan``: rtl_power's job — sweep a range, write power per bin as CSV, draw it.

    sdrflow scan -f 88M:108M:10k -i 10s -e 1m -o fm.csv --png fm.png
    sdrflow scan -f 88M:108M:125k -i 10 -e 1h fm.csv   # rtl_power's line works as it is
    sdrflow scan --source "sim:band?at=100M" -f 99M:101.5M:10k -i 0.2 -1 -o band.csv

CSV rows as rtl_power writes them: ``date, time, Hz low, Hz high, Hz step, samples, dB, dB, …``
(one row per hop per sweep). A range wider than the sample rate is swept in hops, each
cropped by ``-c`` at its edges and stitched to the next.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys

from .core import (USAGE, add_dongle_letters, add_output, need_matplotlib, output_of, refused_code,
                   run_graph, si)


def duration(text) -> float:
    """``10s``, ``1m``, ``2h``, ``0.5`` (seconds)."""
    text = str(text).strip()
    scale = {"s": 1, "m": 60, "h": 3600}.get(text[-1:], None)
    return float(text[:-1]) * scale if scale else float(text)


def parser():
    ap = argparse.ArgumentParser(prog="sdrflow scan", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("-f", "--range", required=True, help="LOWER:UPPER:BIN (88M:108M:10k)")
    ap.add_argument("-i", "--interval", type=duration, default=10.0, help="integration per sweep (10s)")
    ap.add_argument("-e", "--exit", type=duration, default=None, help="stop after this long (1m)")
    ap.add_argument("-1", "--once", action="store_true", help="one sweep, then stop")
    ap.add_argument("-g", "--gain", type=si, default=None, help="tuner gain in dB (automatic)")
    add_dongle_letters(ap)
    ap.add_argument("-c", "--crop", default="20%", help="band edges dropped per hop (20%%)")
    ap.add_argument("-s", "--rate", type=si, default=2.4e6, help="sample rate (2.4M)")
    ap.add_argument("--source", default="rtl", help="what to sweep (rtl)")
    ap.add_argument("--stats", action="store_true", help="print counters at the end (stderr)")
    add_output(ap, "CSV file ('-': stdout, as without it)")
    ap.add_argument("--png", default=None, help="draw a heat map (extra 'plot')")
    return ap


def parse_range(text):
    try:
        lower, upper, step = (si(v) for v in text.split(":"))
    except ValueError:
        raise ValueError(f"-f {text}: write LOWER:UPPER:BIN, e.g. 88M:108M:10k") from None
    if not (0 < lower < upper and step > 0):
        raise ValueError(f"-f {text}: need 0 < LOWER < UPPER and BIN > 0")
    return lower, upper, step


def build(source, lower, upper, bin_size, interval, rate, crop, sweeps, gain, on_row):
    from sdrflow import Flowgraph
    from sdrflow.blocks import SweepSink, Throttle

    from ..sources import open_source, parse

    spec = parse(source)
    sweeper = SweepSink(lower, upper, bin_size, crop=crop, sweeps=sweeps, on_row=on_row)
    hops = sweeper.plan(rate)
    sweeper.seconds_per_hop = max(interval / len(hops), 1e-3)
    opened = open_source(source, frequency=hops[0][0], rate=rate, gain=gain)
    sweeper.reach = getattr(opened.block, "check_frequency", None)
    sweeper.settle = max(sweeper.settle, getattr(opened.block, "retune_settle", 0.0))
    if len(hops) > 1 and "ctrl" not in opened.block.message_inputs:
        raise ValueError(f"{source} cannot be retuned, and {lower / 1e6:g}–{upper / 1e6:g} MHz "
                         f"needs {len(hops)} hops at {rate:g} S/s: narrow the range, or sweep a "
                         f"simulation that retunes: --source sim:band or 'rtl?sim=1'")
    fg = Flowgraph(chunk=65536)
    chain = [opened.block] + ([Throttle()] if spec.kind in ("sim", "file") else [])
    fg.connect(*chain, sweeper)
    if "ctrl" in opened.block.message_inputs:
        fg.connect((sweeper, "ctrl"), (opened.block, "ctrl"))
    return fg, sweeper


def main_scan(argv) -> int:
    from sdrflow.blocks._out import print_out, silence_stdout

    from ..errors import GraphError

    from ..sources import on_dongle

    ap = parser()
    args = ap.parse_args(argv)
    args.output = output_of(ap, args, "-")
    rows = []
    out = sys.stdout if args.output == "-" else None
    try:
        lower, upper, bin_size = parse_range(args.range)
        crop = float(args.crop.rstrip("%")) / (100 if args.crop.endswith("%") or float(args.crop.rstrip("%")) > 1 else 1)
        if args.png:
            need_matplotlib(args.png)
        def on_row(t, lo, hi, step, samples, db):
            stamp = datetime.datetime.fromtimestamp(t)
            line = (f"{stamp:%Y-%m-%d}, {stamp:%H:%M:%S}, {lo:.0f}, {hi:.0f}, {step:.2f}, "
                    f"{samples}, " + ", ".join(f"{v:.2f}" for v in db) + "\n")
            if out is sys.stdout:  # a reader that stops reading must not hold a stop
                try:
                    print_out(fg.blocks[0], line)
                except BrokenPipeError:  # the reader left (| head): the scan ends, as rtl_power's
                    silence_stdout()
                    fg.stop()
                    return
            else:
                out.write(line)
                out.flush()
            rows.append((t, lo, hi, step, db))

        sweeps = 1 if args.once else None
        if args.exit and not args.once:
            sweeps = max(1, int(round(args.exit / args.interval)))
        source = on_dongle(args.source, "-p", args.device, ppm=args.ppm)
        fg, _ = build(source, lower, upper, bin_size, args.interval, args.rate, crop, sweeps,
                      args.gain, on_row)
        created = out is None and not os.path.exists(args.output)
        out = out or open(args.output, "w")  # only once the scan is sure to run
    except (ValueError, GraphError, OSError) as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    try:
        code = run_graph(fg, stats=args.stats)
    except (ValueError, GraphError) as e:  # refused at start: no dongle, a range beyond its tuner
        sys.stderr.write(f"error: {e}\n")
        if created:
            os.remove(args.output)  # nothing was scanned
        return refused_code(e)
    finally:
        if out is not sys.stdout:
            out.close()
    if args.png and rows:
        heat_map(rows, args.png, f"sdrflow scan {args.range}")
    return code


def heat_map(rows, path, title):
    """Time × frequency (MHz), a dB colour bar (rows as the CSV's)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    sweeps, current, seen = [], [], set()
    for t, lo, hi, step, db in rows:  # a new sweep starts when a hop repeats
        if lo in seen:
            sweeps.append(current)
            current, seen = [], set()
        current.append((lo, step, db))
        seen.add(lo)
    sweeps.append(current)
    freqs = np.concatenate([lo + step * np.arange(len(db)) for lo, step, db in sweeps[0]])
    image = np.array([np.concatenate([db for _, _, db in s]) for s in sweeps
                      if sum(len(db) for _, _, db in s) == len(freqs)])
    fig, ax = plt.subplots(figsize=(10, 4 + 0.05 * len(image)))
    step = sweeps[0][0][1]
    edges = np.append(freqs - step / 2, freqs[-1] + step / 2) / 1e6  # bin edges, sweep edges
    mesh = ax.pcolormesh(edges, np.arange(len(image) + 1), image, shading="flat", cmap="viridis")
    ax.set_xlabel("frequency (MHz)")
    ax.ticklabel_format(axis="x", useOffset=False)
    ax.set_ylabel("sweep")
    ax.set_title(title)
    fig.colorbar(mesh, ax=ax, label="power per bin (dBFS)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
