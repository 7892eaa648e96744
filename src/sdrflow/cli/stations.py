"""``sdrflow stations``: what is on the FM band, each station's power and what its RDS says.

    sdrflow stations [-f 87.5M:108M] [--source rtl] [--seconds 5] [-l 10] [--rbds] [--json]

First one sweep of the range (``scan``'s, 25 kHz bins) finds the channels that stand ``-l`` dB
above the band's noise floor (the 20th percentile of its channels): on a 50 kHz grid, the power
within ±100 kHz, a station where it is the greatest within ±150 kHz. Then the source tunes to
each group of stations that fits in its band and listens to the whole group at once, a broadcast
FM receiver and an RDS decoder per station, until every station of the group has said its name
and its radiotext, or ``--seconds`` of signal have passed. One line per station on stdout, in
frequency order.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from ..units import si
from .core import OK, USAGE, add_dongle_letters, interrupted_code, refused_code, run_graph

GRID = 50e3    # where a station may sit: Europe's 100 kHz, America's odd 200 kHz, and between
WIDTH = 100e3  # half an FM channel: the power of a channel is what lies within ±WIDTH
AWAY = 150e3   # a station is the strongest channel within ±AWAY (stations sit 200 kHz apart)


def parser():
    ap = argparse.ArgumentParser(prog="sdrflow stations", description=__doc__.splitlines()[0])
    ap.add_argument("-f", "--range", default=None,
                    help="LOWER:UPPER in Hz to search (87.5M:108M, the FM band; a recording: "
                         "what it holds)")
    ap.add_argument("--source", default="rtl",
                    help="rtl, rtl:SERIAL, rtl_tcp:HOST:PORT, sim:fmband, a recording … (rtl)")
    ap.add_argument("-s", "--rate", type=si, default=2.4e6, help="source sample rate (2.4M)")
    ap.add_argument("-g", "--gain", type=si, default=None, help="tuner gain in dB (automatic)")
    add_dongle_letters(ap)
    ap.add_argument("-l", "--level", type=float, default=10.0,
                    help="dB above the band's noise floor that makes a station (10)")
    ap.add_argument("--seconds", type=si, default=5.0,
                    help="most signal to listen to for each group of stations (5)")
    ap.add_argument("--rbds", action="store_true",
                    help="North American RBDS: programme types and call letters")
    ap.add_argument("--json", action="store_true", help="one JSON object per station")
    return ap


def find_stations(freqs, db, level: float):
    """Stations in a sweep's bins (centres ``freqs`` in Hz, power ``db`` per bin): a list of
    (frequency, channel power dB), and the band's noise floor in dB per channel."""
    freqs, power = np.asarray(freqs, float), 10 ** (np.asarray(db, float) / 10)
    grid = np.arange(np.ceil(freqs[0] / GRID), np.floor(freqs[-1] / GRID) + 1) * GRID
    edges = np.searchsorted(freqs, np.concatenate([grid - WIDTH, grid + WIDTH]), side="left")
    lo, hi = edges[:len(grid)], edges[len(grid):]
    sums = np.concatenate([[0.0], np.cumsum(power)])
    channel = 10 * np.log10(np.maximum(sums[hi] - sums[lo], 1e-30))
    floor = float(np.percentile(channel, 20))  # most of a crowded band is still empty
    found = []
    near = int(round(AWAY / GRID))
    for i, p in enumerate(channel):
        first = max(0, i - near)  # argmax takes the lowest of equal channels
        if p >= floor + level and first + np.argmax(channel[first:i + near + 1]) == i:
            found.append((float(grid[i]), float(p)))
    return found, floor


def groups(stations, rate: float):
    """Stations (frequencies) in groups that one tuning holds, with the centre of each: every
    station within ±0.4·rate − WIDTH of it and none within ±GRID (the dongle's DC spike)."""
    reach = 0.4 * rate - WIDTH
    out, rest = [], sorted(stations)
    while rest:
        centre = rest[0] + reach
        while any(abs(f - centre) < GRID for f in rest):
            centre -= GRID  # off a station's carrier, still holding the first
        group = [f for f in rest if abs(f - centre) <= reach]
        out.append((centre, group))
        rest = [f for f in rest if f not in group]
    return out


def default_range(source, rate):
    """The FM band, or what a source that cannot retune (a recording) holds of it."""
    from ..sources import open_source

    opened = open_source(source, frequency=97.75e6, rate=rate)  # opens nothing yet
    if "ctrl" in opened.block.message_inputs or not opened.frequency:
        return 87.5e6, 108e6
    return opened.frequency - 0.4 * opened.rate, opened.frequency + 0.4 * opened.rate


def sweep(source, lower, upper, rate, gain):
    """One sweep of the range in about a second; returns (bin centres, dB) in frequency
    order, and the run's exit code."""
    from .scan import build

    rows = []
    fg, sweeper = build(source, lower, upper, 25e3, 1.0, rate, 0.2, 1, gain,
                        lambda t, lo, hi, step, samples, db: rows.append((lo, step, db)))
    code = run_graph(fg)
    freqs, db = [], []
    for lo, step, values in sorted(rows):
        freqs += [lo + (k + 0.5) * step for k in range(len(values))]
        db += list(values)
    return np.array(freqs), np.array(db), code


class Listener:
    """The RDS of one group's stations, kept as it comes; stops the graph once each station
    has said its name and radiotext."""

    def __init__(self, stations):
        self.heard = {f: {} for f in stations}
        self.fg = None

    def sink(self, frequency):
        from sdrflow import Block

        listener = self

        class Heard(Block):
            message_inputs = ("in",)

            def handle_message(self, port, fields):
                heard = listener.heard[frequency]
                for key in ("pi", "callsign", "prog_type", "ps", "radiotext"):
                    if key in fields:
                        heard[key] = fields[key]
                if all("ps" in h and "radiotext" in h for h in listener.heard.values()):
                    listener.fg.stop()

        return Heard()


def listen(source, centre, stations, rate, gain, seconds, rbds):
    """Listen to ``stations`` with the source tuned to ``centre``; returns what each station's
    RDS said ({frequency: fields}) and the run's exit code."""
    from sdrflow import Flowgraph
    from sdrflow.blocks import Head, NullSink

    from ..receivers import add_rds, add_receiver
    from ..sources import open_source

    opened = open_source(source, frequency=centre, rate=rate, gain=gain)
    fg = Flowgraph(chunk=65536)
    head = Head(int(seconds * opened.rate))
    fg.connect(opened.block, head)
    listener = Listener(stations)
    listener.fg = fg
    tuned = opened.frequency if opened.frequency else centre
    for f in stations:
        if abs(f - tuned) > 0.5 * opened.rate - WIDTH:
            continue  # a recording's band ends before it
        rx = add_receiver(fg, head, opened.rate, "wbfm", f - tuned, tau=None)
        for out in rx.audio:
            fg.connect(out, NullSink())
        fg.connect((add_rds(fg, rx, rbds=rbds), "out"), (listener.sink(f), "in"))
    return listener.heard, run_graph(fg)


def _line(f, db, heard):
    station = " ".join(x for x in (heard.get("pi", "-"), heard.get("callsign", "")) if x)
    return (f"{f / 1e6:7.2f}  {db:6.1f}  {station:<11} {heard.get('ps', '-'):<8}  "
            f"{heard.get('prog_type', '-'):<22} {heard.get('radiotext', '-')}")


def _range(text):
    """``-f LOWER:UPPER`` (scan's form without its bin, which is 25 kHz here)."""
    from .scan import parse_range

    try:
        return parse_range(f"{text}:25k")[:2]
    except ValueError:
        raise ValueError(f"-f {text}: write LOWER:UPPER with 0 < LOWER < UPPER, e.g. "
                         f"87.5M:108M") from None


def main_stations(argv) -> int:
    from ..errors import GraphError

    from ..sources import on_dongle

    args = parser().parse_args(argv)
    try:
        args.source = on_dongle(args.source, "-p", args.device, ppm=args.ppm)
        lower, upper = default_range(args.source, args.rate) if args.range is None else \
            _range(args.range)
        if not 0 < args.seconds <= 3600:
            raise ValueError(f"--seconds must be in (0, 3600], got {args.seconds:g}")
        freqs, db, code = sweep(args.source, lower, upper, args.rate, args.gain)
    except (ValueError, GraphError) as e:
        sys.stderr.write(f"error: {e}\n")
        return refused_code(e) if isinstance(e, GraphError) else USAGE
    if code != OK:
        return code
    if not len(freqs):
        sys.stderr.write(f"error: {args.source} ended before the sweep measured a whole hop: "
                         f"nothing to search\n")
        return USAGE
    found, floor = find_stations(freqs, db, args.level)
    sys.stderr.write(f"{len(found)} station{'s' * (len(found) != 1)} {args.level:g} dB above "
                     f"the band's floor ({floor:.1f} dB a channel) in {lower / 1e6:g}–"
                     f"{upper / 1e6:g} MHz\n")
    power = dict(found)
    if not args.json:
        print("    MHz      dB  PI          name      programme type         radiotext")
    for centre, group in groups(power, args.rate):
        try:
            sys.stderr.write(f"listening to {', '.join(f'{f / 1e6:g}' for f in group)} MHz\n")
            heard, code = listen(args.source, centre, group, args.rate, args.gain,
                                 args.seconds, args.rbds)
        except (ValueError, GraphError) as e:
            sys.stderr.write(f"error: {e}\n")
            return refused_code(e) if isinstance(e, GraphError) else USAGE
        except KeyboardInterrupt as e:  # before the group's graph ran: its power is known
            sys.stderr.write("stopped\n")
            heard, code = {}, interrupted_code(e)
        for f in group:
            fields = heard.get(f, {})
            if args.json:
                print(json.dumps({"frequency": f, "power_db": round(power[f], 1), **fields}))
            else:
                print(_line(f, power[f], fields))
        sys.stdout.flush()
        if code != OK:
            return code
    return OK
