"""The ``sdrflow`` command.

    sdrflow run SCRIPT.py [options]     run a flowgraph script (SCRIPT.py --help lists its options;
                                        --processes N spreads it over N processes, --part NAME
                                        runs one part of it on this host)
    sdrflow listen -f 98.5M -M wbfm     hear a station: rtl_fm's job (--source sim needs no dongle)
    sdrflow serve --source URI          an rtl_tcp server for SDR++, GQRX, SDR# and rtl_tcp clients
    sdrflow record --source URI -o F    rtl_sdr's job: .cu8 .cs8 .cs16 .cf32 or SigMF
    sdrflow info FILE                   format, rate, centre, duration, SigMF captures
    sdrflow devices                     attached RTL-SDR dongles
    sdrflow scan -f 88M:108M:10k        rtl_power's job: CSV of power per bin, --png heat map
    sdrflow stations                    the FM band's stations: frequency, power, RDS name, text
    sdrflow spectrum --source URI -o P  a picture: averaged spectrum above a waterfall
    sdrflow graph SCRIPT [--mermaid]    the flowgraph as Graphviz dot or Mermaid
    sdrflow view [--source URI]         spectrum, waterfall and receivers in the browser (:8073)
    sdrflow bench BLOCK[:p=v,…]         Msps of a block per chunk size, beside numpy/scipy
    sdrflow keygen NAME                 a CURVE key pair for ZeroMQ links beyond this host
    sdrflow blocks [NAME]               the block catalogue, or one block's reference entry

Sources are named the same way everywhere: sim, rtl, rtl:SERIAL?gain=30, rtl_tcp:HOST:PORT,
file:PATH?rate=2.4M&format=cu8, a bare path, zmq+tcp://HOST:PORT (see ``sdrflow.sources``).
Exit codes: 0 end of stream, 1 a block or device failed, 2 bad usage, 130 Ctrl-C, 143 SIGTERM.
"""
from __future__ import annotations

import importlib
import logging
import sys

from .core import INTERRUPTED, USAGE, interrupted_code
from .run import describe_block, run_flowgraph  # noqa: F401  (used by flowgraph scripts)

COMMANDS = {"run": "run", "listen": "listen", "serve": "serve", "record": "record",
            "info": "record", "devices": "record", "graph": "graph", "view": "view",
            "scan": "scan", "stations": "stations", "spectrum": "spectrum", "bench": "bench",
            "keygen": "keygen", "blocks": "run"}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd not in COMMANDS:
        print(f"error: unknown command {cmd!r}; the commands are {', '.join(COMMANDS)} "
              f"(`sdrflow --help`)", file=sys.stderr)
        return USAGE
    try:
        module = importlib.import_module(f".{COMMANDS[cmd]}", __name__)
        return getattr(module, f"main_{cmd}")(rest)
    except KeyboardInterrupt as e:  # during start-up: imports, kernel loading
        sys.stderr.write("stopped\n")
        return interrupted_code(e) if hasattr(e, "code") else INTERRUPTED
    except BrokenPipeError:  # `sdrflow blocks | head`: the reader has what it wanted
        from sdrflow.blocks._out import silence_stdout

        silence_stdout()
        return 0


