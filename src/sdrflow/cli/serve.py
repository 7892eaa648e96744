"""``sdrflow serve``: rtl_tcp's job, for any source.

    sdrflow serve                                  # the dongle on this host, for SDR++ or GQRX
    sdrflow serve -a 0.0.0.0 -p 1234 -f 100M -g 30 -P 1 -d 0 -T   # rtl_tcp's line, as it is
    sdrflow serve --source sim:band -f 100M        # a test signal generator for those programs
    sdrflow serve --source rec.cu8 -s 2.4M --bind 0.0.0.0 --port 1234

Clients get the ``RTL0`` greeting and the stream as cu8; their commands (frequency, sample
rate, gain, ppm, RTL AGC, direct sampling, offset tuning, bias tee) reach the source when it
can apply them (a dongle can apply them all); the rest are logged and ignored. One client at
a time; the next waits. Recordings and simulations are paced to real time; a recording plays
in a loop.
"""
from __future__ import annotations

import argparse
import sys

from .core import USAGE, add_dongle_letters, refused_code, run_graph, si


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="sdrflow serve", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--source", default="rtl", help="what to serve (rtl)")
    ap.add_argument("-p", "--port", type=int, default=1234, help="TCP port (1234)")
    ap.add_argument("-a", "--bind", default="127.0.0.1",
                    help="address to listen on (127.0.0.1; 0.0.0.0 shares it with the network)")
    ap.add_argument("-f", "--frequency", type=si, default=100e6, help="initial frequency (100M)")
    ap.add_argument("-s", "--rate", type=si, default=2.4e6, help="sample rate (2.4M)")
    ap.add_argument("-g", "--gain", type=si, default=None, help="tuner gain in dB (automatic)")
    add_dongle_letters(ap, "-P")  # rtl_tcp's letter; its -p is the port
    ap.add_argument("-T", "--bias-tee", action="store_true",
                    help="power the antenna through the dongle's bias tee (as --source rtl?bias=1)")
    ap.add_argument("--seconds", type=si, default=None, help="stop after this much of the source")
    ap.add_argument("--stats", action="store_true", help="print counters at the end (stderr)")
    return ap


def build(source="rtl", port=1234, bind="127.0.0.1", frequency=100e6, rate=2.4e6, gain=None,
          seconds=None):
    """The serving flowgraph and its sink (whose ``port`` is the bound port once started)."""
    from sdrflow import Flowgraph
    from sdrflow import blocks as b

    from ..sources import open_source, parse, with_option

    spec = parse(source)
    if spec.kind == "file":
        source = with_option(source, "repeat", 1)
    opened = open_source(source, frequency=frequency, rate=rate, gain=gain,
                         seconds=seconds if spec.kind == "sim" else None)
    src = opened.block
    if hasattr(src, "rate_changes"):  # nothing here depends on the rate: clients may change it
        src.rate_changes = True
    controls = {name for name in ("frequency", "sample_rate", "gain", "correction_ppm",
                                  "rtl_agc", "direct_sampling", "offset_tuning", "bias_tee")
                if callable(getattr(src, f"set_{name}", None))} if "ctrl" in src.message_inputs else set()

    def tuner():
        from sdrflow.blocks._rtl import R820T_GAINS, TUNERS
        names = {v: k for k, v in TUNERS.items()}
        return names.get(getattr(src, "tuner", "R820T"), 5), len(R820T_GAINS)

    sink = b.RtlTcpServerSink(port, bind=bind, controls=controls, tuner=tuner)
    fg = Flowgraph(chunk=16384)
    chain = [src]
    if seconds is not None and spec.kind != "sim":
        chain.append(b.Head(int(seconds * opened.rate)))
    if spec.kind in ("sim", "file"):
        chain.append(b.Throttle())  # a recording or simulation at the pace of a real dongle
    fg.connect(*chain, sink)
    if controls:
        fg.connect((sink, "ctrl"), (src, "ctrl"))
    return fg, sink


def main_serve(argv) -> int:
    from ..errors import GraphError

    from ..sources import on_dongle

    args = parser().parse_args(argv)
    try:
        args.source = on_dongle(args.source, "-P and -T", args.device, ppm=args.ppm,
                                bias=args.bias_tee and 1)
        fg, sink = build(args.source, args.port, args.bind, args.frequency, args.rate, args.gain,
                         args.seconds)
    except (ValueError, GraphError) as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    if args.bind not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write(f"warning: serving on {args.bind}: anyone who can reach this port can "
                         f"use the source (rtl_tcp has no authentication)\n")
    try:
        fg.start()
    except (ValueError, GraphError) as e:  # refused at start: no dongle (1), the port taken (2)
        sys.stderr.write(f"error: {e}\n")
        return refused_code(e)
    sys.stderr.write(f"Serving {args.source} as rtl_tcp on {args.bind}:{sink.port} "
                     f"({args.rate:g} S/s); clients: SDR++, GQRX, SDR#, "
                     f"sdrflow --source rtl_tcp:{args.bind}:{sink.port}\n")
    return run_graph(fg, stats=args.stats)
