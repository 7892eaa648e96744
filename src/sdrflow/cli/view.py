"""``sdrflow view``: a live spectrum, waterfall and receiver in the browser, for any source.

    sdrflow view                                   # the simulated band (three stations)
    sdrflow view --source rtl -f 100M              # a dongle; retune and gain from the page
    sdrflow view --source rtl -f 100M --bind 0.0.0.0   # from another machine, with a token

Click or drag on the waterfall to listen (WBFM, NBFM, AM, USB, LSB): every open page has its
own receiver. The page and its scripts come from sdrflow itself: it works offline.
"""
from __future__ import annotations

import argparse
import sys

from .core import add_dongle_letters, refused_code, run_graph, si


def parser():
    ap = argparse.ArgumentParser(prog="sdrflow view", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--source", default="sim:band", help="what to look at (sim:band)")
    ap.add_argument("-f", "--frequency", type=si, default=100e6, help="centre frequency (100M)")
    ap.add_argument("-s", "--rate", type=si, default=2.4e6, help="sample rate (2.4M)")
    ap.add_argument("-g", "--gain", type=si, default=None, help="tuner gain in dB (automatic)")
    add_dongle_letters(ap)
    ap.add_argument("--port", type=int, default=8073, help="web port (8073)")
    ap.add_argument("--bind", default="127.0.0.1", help="address (127.0.0.1; others need the token)")
    ap.add_argument("--seconds", type=si, default=None, help="stop after this long")
    ap.add_argument("--stats", action="store_true", help="print counters at the end (stderr)")
    ap.add_argument("--rbds", action="store_true",
                    help="a broadcast FM receiver's RDS as North America sends it (RBDS): its "
                         "programme types, and call letters from the PI code")
    return ap


def build(source="sim:band", frequency=100e6, rate=2.4e6, gain=None, port=8073,
          bind="127.0.0.1", seconds=None, token=None, rbds=False):
    """source → [Throttle for recordings and simulations] → WebSink, the page's retunes and gain
    changes going back to the source. Returns (flowgraph, the web sink)."""
    from sdrflow import Flowgraph
    from sdrflow.blocks import WebSink

    from ..sources import source_chain

    chain, opened = source_chain(source, frequency=frequency, rate=rate, gain=gain,
                                 seconds=seconds, pace=True)
    sink = WebSink("band", port=port, bind=bind, token=token, frequency=opened.frequency,
                   rbds=rbds)
    fg = Flowgraph(chunk=16384)
    fg.connect(*chain, sink)
    if "ctrl" in opened.block.message_inputs:
        fg.connect((sink, "ctrl"), (opened.block, "ctrl"))
    return fg, sink


def main_view(argv) -> int:
    from ..errors import GraphError

    from ..sources import on_dongle

    args = parser().parse_args(argv)
    try:
        args.source = on_dongle(args.source, "-p", args.device, ppm=args.ppm)
        fg, sink = build(args.source, args.frequency, args.rate, args.gain, args.port, args.bind,
                         args.seconds, rbds=args.rbds)
        fg.start()
    except (ValueError, GraphError) as e:
        sys.stderr.write(f"error: {e}\n")
        return refused_code(e)  # no dongle 1; a parameter, or the port taken, 2
    sys.stderr.write(f"Viewing {args.source}: open {sink.url}\n")
    if sink.server.token:
        sys.stderr.write("The page needs the token in that URL (bound beyond loopback).\n")
    return run_graph(fg, stats=args.stats)
