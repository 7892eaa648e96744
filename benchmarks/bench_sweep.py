#!/usr/bin/env python3
"""Sweeps: how chunk size and tap count move throughput (not part of the tests).

    python benchmarks/bench_sweep.py            # prints two Markdown tables

chain10 (pure engine overhead) across source chunk sizes, and a complex FIR across tap counts
with and without decimation by 10. Each point is the best of three runs of N samples (env N,
default 1e7), Msps of input samples, source and sink included."""
import os
import sys
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import lowpass, noise_c  # noqa: E402

from sdrflow import Flowgraph  # noqa: E402
from sdrflow.blocks import FIRFilter, Head, MultiplyConst, NullSink, VectorSource  # noqa: E402

N = int(float(os.environ.get("N", "1e7")))


def msps(make_blocks, chunk=131072):
    best = 0.0
    for _ in range(3):
        fg = Flowgraph(chunk=chunk)
        fg.connect(VectorSource(noise_c(), rate=1e6, repeat=True), Head(N), *make_blocks(), NullSink())
        t = time.perf_counter()
        fg.run()
        best = max(best, N / (time.perf_counter() - t) / 1e6)
    return best


def main():
    print("| chunk (items) | chain10 Msps |\n|---:|---:|")
    for chunk in (4096, 16384, 65536, 131072, 262144, 524288):
        print(f"| {chunk} | {msps(lambda: [MultiplyConst(1.0) for _ in range(10)], chunk):.0f} |", flush=True)
    print("\n| taps | FIR Msps | FIR ↓10 Msps |\n|---:|---:|---:|")
    for taps in (8, 16, 32, 64, 128, 256):
        h = lowpass(taps, 0.04)
        a = msps(lambda: [FIRFilter(h)])
        b = msps(lambda: [FIRFilter(h, decimation=10)])
        print(f"| {taps} | {a:.0f} | {b:.0f} |", flush=True)


if __name__ == "__main__":
    main()
