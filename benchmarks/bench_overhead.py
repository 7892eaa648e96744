#!/usr/bin/env python3
"""Engine overhead: microseconds per work call, and a chunk-size sweep of chain10.

    python benchmarks/bench_overhead.py [--calls N] [--json]

A chain of ten MultiplyConst(1.0) blocks (the chain10 workload) runs at small chunks, where
the kernels do almost nothing and the time is the engine's: source, scheduling, output checks,
hand-over, tags, sink. ``us_per_call`` is wall time over all work calls of all blocks;
``us_outside_work`` leaves out the time spent inside ``work`` (the kernel call, and the block's
own Python), which is the engine's share. The sweep runs chain10 with 2·10⁷ samples at chunk sizes from 256 to 131072 (Msps of input)."""
import argparse
import json
import time

import numpy as np

from sdrflow import Flowgraph
from sdrflow.blocks import Head, MultiplyConst, NullSink, VectorSource


def chain10(n, chunk, threads=1):
    x = (np.random.default_rng(1).standard_normal(8192) * (1 + 1j)).astype(np.complex64)
    fg = Flowgraph(chunk=chunk, threads=threads)
    fg.connect(VectorSource(x, rate=1e6, repeat=True), Head(n),
               *[MultiplyConst(1.0) for _ in range(10)], NullSink())
    return fg


def timed(n, chunk, threads=1):
    chain10(min(n, 100 * chunk), chunk, threads).run()  # warm up
    fg = chain10(n, chunk, threads)
    t0 = time.perf_counter()
    fg.run()
    seconds = time.perf_counter() - t0
    calls = sum(row["work_calls"] for row in fg.stats())
    inside = sum(row["work_seconds"] for row in fg.stats())
    return seconds, calls, inside


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20000, help="source calls for the overhead figure")
    ap.add_argument("--json", action="store_true", help="one JSON line per figure")
    args = ap.parse_args()
    rows = []
    chunk = 64
    seconds, calls, inside = timed(args.calls * chunk, chunk)
    rows.append({"figure": "overhead", "chunk": chunk, "work_calls": calls,
                 "us_per_call": 1e6 * seconds / calls,
                 "us_outside_work": 1e6 * (seconds - inside) / calls})
    for chunk in (256, 1024, 4096, 16384, 65536, 131072):
        n = 20_000_000
        seconds, _, _ = timed(n, chunk)
        rows.append({"figure": "chain10", "chunk": chunk, "msps": n / seconds / 1e6})
    for row in rows:
        if args.json:
            print(json.dumps(row))
        elif row["figure"] == "overhead":
            print(f"overhead: {row['us_per_call']:.2f} µs per work call, "
                  f"{row['us_outside_work']:.2f} µs of it outside work() "
                  f"({row['work_calls']} calls, chunk {row['chunk']})")
        else:
            print(f"chain10 chunk {row['chunk']:>6}: {row['msps']:7.1f} Msps")


if __name__ == "__main__":
    main()
