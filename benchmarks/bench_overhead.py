#!/usr/bin/env python3
"""Engine overhead: microseconds per work call, and a chunk-size sweep of chain10.

    python benchmarks/bench_overhead.py [--calls N] [--runs R] [--json]

Two chains run at 64-item chunks, where the kernels do almost nothing and the time is the
engine's (source, scheduling, output checks, hand-over, sink): ten trivial blocks that pass
their input on (``work`` returns ``x``), and ten MultiplyConst(1.0) (the chain10 workload,
whose ``work`` also takes a buffer and calls a Numba kernel). ``us_per_call`` is wall time over
all work calls of all blocks; ``us_outside_work`` leaves out the time spent inside ``work``,
which is the engine's share. Each figure is the best of ``--runs`` runs (default 3): a
shared host's speed moves by ±20 % from run to run, so the slowest run is shown next to it. The sweep runs
chain10 with 2·10⁷ samples at chunk sizes from 256 to 131072 (Msps of input)."""
import argparse
import json
import time

import numpy as np

from sdrflow import ANY, SAME, Block, Flowgraph, Port
from sdrflow.blocks import Head, MultiplyConst, NullSink, VectorSource


class Pass(Block):
    """The trivial block: returns its input."""

    inputs = [Port("in", ANY)]
    outputs = [Port("out", SAME)]
    passthrough = True

    def work(self, x):
        return x


def chain10(n, chunk, threads=1, block=MultiplyConst):
    x = (np.random.default_rng(1).standard_normal(8192) * (1 + 1j)).astype(np.complex64)
    fg = Flowgraph(chunk=chunk, threads=threads)
    fg.connect(VectorSource(x, rate=1e6, repeat=True), Head(n),
               *[block() for _ in range(10)], NullSink())
    return fg


def timed(n, chunk, threads=1, block=MultiplyConst):
    chain10(min(n, 100 * chunk), chunk, threads, block).run()  # warm up
    fg = chain10(n, chunk, threads, block)
    t0 = time.perf_counter()
    fg.run()
    seconds = time.perf_counter() - t0
    calls = sum(row["work_calls"] for row in fg.stats())
    inside = sum(row["work_seconds"] for row in fg.stats())
    return seconds, calls, inside


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20000, help="source calls for the overhead figure")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (best and slowest shown)")
    ap.add_argument("--json", action="store_true", help="one JSON line per figure")
    args = ap.parse_args()
    if args.calls < 1 or args.runs < 1:
        ap.error("--calls and --runs take a whole number of at least 1")
    rows = []
    chunk = 64
    for name, block in (("Pass", Pass), ("MultiplyConst", MultiplyConst)):
        runs = sorted(timed(args.calls * chunk, chunk, block=block) for _ in range(args.runs))
        (seconds, calls, inside), slowest = runs[0], runs[-1][0]
        rows.append({"figure": "overhead", "block": name, "chunk": chunk, "work_calls": calls,
                     "us_per_call": 1e6 * seconds / calls,
                     "us_outside_work": 1e6 * (seconds - inside) / calls,
                     "us_per_call_slowest": 1e6 * slowest / calls})
    for chunk in (256, 1024, 4096, 16384, 65536, 131072):
        n = 20_000_000
        runs = sorted(timed(n, chunk)[0] for _ in range(args.runs))
        rows.append({"figure": "chain10", "chunk": chunk, "msps": n / runs[0] / 1e6,
                     "msps_slowest": n / runs[-1] / 1e6})
    for row in rows:
        if args.json:
            print(json.dumps(row))
        elif row["figure"] == "overhead":
            print(f"overhead, ten {row['block']}: {row['us_per_call']:.2f} µs per work call, "
                  f"{row['us_outside_work']:.2f} µs of it outside work() "
                  f"({row['work_calls']} calls, chunk {row['chunk']}; slowest run "
                  f"{row['us_per_call_slowest']:.2f} µs)")
        else:
            print(f"chain10 chunk {row['chunk']:>6}: {row['msps']:7.1f} Msps "
                  f"(slowest run {row['msps_slowest']:.1f})")


if __name__ == "__main__":
    main()
