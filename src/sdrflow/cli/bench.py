"""``sdrflow bench BLOCK[:param=value,…]``: how fast a block runs here, against plain numpy/scipy.

    sdrflow bench FIRFilter:taps=64
    sdrflow bench FIRFilter:taps=128,decimation=10 --chunk 4k,16k,64k --png fir.png
    sdrflow bench my_blocks.py:MyBlock:gain=2 --json
    sdrflow bench FreqXlatingFilter:frequency=100e3,cutoff=100e3,decimation=10 --rate 2.4M --compare gnuradio

Msps of input samples with min/median/max over repeats, per chunk size; the numpy/scipy loop
doing the same work where one exists (FIR, decimating FIR, resampler, FFT, FM discriminator);
with ``--compare gnuradio`` GNU Radio 3.10's equivalent block, timed the same way.
The same code path as benchmarks/run.py (``sdrflow.bench``).
"""
from __future__ import annotations

import argparse
import json
import sys

from .core import USAGE, need_matplotlib, si


def main_bench(argv) -> int:
    from ..bench import bench_block

    ap = argparse.ArgumentParser(prog="sdrflow bench", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("block", help="BLOCK[:param=value,…] or FILE.py:Class[:param=value,…]")
    ap.add_argument("--chunk", default="4k,16k,64k", help="chunk sizes to sweep, k = 1024 (4k,16k,64k)")
    ap.add_argument("--seconds", type=float, default=0.5, help="size of each run (0.5)")
    ap.add_argument("--rate", type=si, default=1e6, help="input sample rate the block sees (1M)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per chunk size (3)")
    ap.add_argument("--compare", choices=["gnuradio"], default=None,
                    help="also time GNU Radio 3.10's equivalent block (its /usr/bin/python3)")
    ap.add_argument("--json", action="store_true", help="one JSON object")
    ap.add_argument("--png", default=None, help="plot Msps against chunk size (extra 'plot')")
    args = ap.parse_args(argv)
    try:
        # Chunk sizes count items: 4k is 4096, as buffer sizes go.
        chunks = [int(float(c[:-1]) * 1024) if c[-1:] in "kK" else int(si(c))
                  for c in args.chunk.replace(" ", "").split(",")]
        if any(c < 1 for c in chunks):
            raise ValueError("chunk sizes must be >= 1")
        if args.png:
            need_matplotlib(args.png)
        result = bench_block(args.block, chunks, args.seconds, args.rate, args.repeats,
                             compare_gnuradio=args.compare == "gnuradio")
    except ValueError as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['block']} ({result['input']} in, {result['samples']} samples a run)")
        for chunk, m in result["chunks"].items():
            print(f"  chunk {chunk:>7}: {m['median']:8.1f} Msps  (min {m['min']:.1f}, max {m['max']:.1f})")
        if "numpy_scipy_msps" in result:
            best = max(m["median"] for m in result["chunks"].values())
            print(f"  numpy/scipy loop: {result['numpy_scipy_msps']:.1f} Msps  "
                  f"(sdrflow ×{best / result['numpy_scipy_msps']:.2f})")
        if "gnuradio_msps" in result:
            best = max(m["median"] for m in result["chunks"].values())
            print(f"  GNU Radio 3.10:   {result['gnuradio_msps']:.1f} Msps  "
                  f"(sdrflow ×{best / result['gnuradio_msps']:.2f})")
    if args.png:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        chunks = list(result["chunks"])
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.errorbar(chunks, [result["chunks"][c]["median"] for c in chunks],
                    yerr=[[result["chunks"][c]["median"] - result["chunks"][c]["min"] for c in chunks],
                          [result["chunks"][c]["max"] - result["chunks"][c]["median"] for c in chunks]],
                    marker="o", label="sdrflow")
        if "numpy_scipy_msps" in result:
            ax.axhline(result["numpy_scipy_msps"], color="grey", ls="--", label="numpy/scipy loop")
        if "gnuradio_msps" in result:
            ax.axhline(result["gnuradio_msps"], color="tab:red", ls=":", label="GNU Radio 3.10")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("chunk (items)")
        ax.set_ylabel("Msps")
        ax.set_title(result["block"])
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.png, dpi=100)
        plt.close(fig)
    return 0
