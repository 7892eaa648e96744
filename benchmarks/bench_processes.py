#!/usr/bin/env python3
"""``sdrflow run --processes 2`` against one process, in one run (issue 9 §5):

1. a graph of two plain-Python blocks (they hold the GIL, so threads cannot share them out):
   goal ≥ 1.7× faster in two processes on a 2-core machine;
2. the FM receiver (flowgraphs/fm_receiver.py) on a recording, split in two: the same audio,
   sample for sample, at ≥ 80 % of its one-process throughput.

Each time is the median wall time of ``REPEAT`` runs of the whole command, one after the
other. Start-up (Python, imports, kernels from the cache, the cut, the children) is measured
apart, by the same command on a tiny input, and the "running" figures leave it out.

    python benchmarks/bench_processes.py              # SECONDS=120 of FM, N=6e7 Python items

This file is also the flowgraph script of part 1 (``build``).
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from sdrflow import Block, Flowgraph, Port, FLOAT32

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
REPEAT = int(os.environ.get("REPEAT", "2"))


class PythonGain(Block):
    """y[n] = gain·x[n], one Python float at a time: it holds the GIL throughout."""

    inputs = [Port("in", FLOAT32)]
    outputs = [Port("out", FLOAT32)]
    cost = 2000.0  # ~100 ns an item in the interpreter

    def __init__(self, gain: float):
        self.gain = gain

    def work(self, x):
        out = self.buffer(len(x), x.dtype)
        g = self.gain
        out[:] = [v * g for v in x.tolist()]
        return out


def build(items: int = 20_000_000) -> Flowgraph:
    """Random floats (repeated) → PythonGain(0.5) → PythonGain(2) → NullSink, ``items`` items.

    Parameters
    ----------
    items : int
        Items to push through.
    """
    from sdrflow.blocks import Head, NullSink, VectorSource

    x = np.random.default_rng(0).standard_normal(1 << 20).astype(np.float32)
    fg = Flowgraph(chunk=65536)
    fg.connect(VectorSource(x, rate=1e6, repeat=True), Head(items), PythonGain(0.5),
               PythonGain(2.0), NullSink())
    return fg


def timed(*cmds) -> list:
    """Median wall time of each command; the repeats interleave the commands, so a machine
    whose speed drifts (a shared one) slows them alike."""
    times = [[] for _ in cmds]
    for _ in range(REPEAT):
        for cmd, t in zip(cmds, times):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            t.append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def main() -> int:
    run = [sys.executable, "-m", "sdrflow.cli", "run"]
    items = int(float(os.environ.get("N", "6e7")))
    seconds = float(os.environ.get("SECONDS", "120"))
    here = os.path.abspath(__file__)
    one, two, one0, two0 = timed(run + [here, "--items", str(items)],
                                 run + [here, "--items", str(items), "--processes", "2"],
                                 run + [here, "--items", "1000"],
                                 run + [here, "--items", "1000", "--processes", "2"])
    print(json.dumps({"workload": "two plain-Python blocks", "items": items,
                      "one_process_s": round(one, 2), "two_processes_s": round(two, 2),
                      "speedup": round(one / two, 2), "start_up_s": [round(one0, 2), round(two0, 2)],
                      "running_speedup": round((one - one0) / (two - two0), 2), "goal": 1.7}))
    with tempfile.TemporaryDirectory() as d:
        rec = os.path.join(d, "fm.sigmf-meta")
        subprocess.run([sys.executable, "-m", "sdrflow.cli", "record", "--source", "sim", "-o", rec,
                        "--seconds", str(seconds), "--quiet"], check=True, capture_output=True)
        fm = [os.path.join(ROOT, "flowgraphs", "fm_receiver.py"), "--source", rec, "--seconds", "0"]
        a, b = os.path.join(d, "one.wav"), os.path.join(d, "two.wav")
        short = fm[:-1] + ["0.05", "--output", os.path.join(d, "short.wav")]
        one, two, one0, two0 = timed(run + fm + ["--output", a],
                                     run + fm + ["--output", b, "--processes", "2"],
                                     run + short, run + short + ["--processes", "2"])
        with open(a, "rb") as fa, open(b, "rb") as fb:
            same = fa.read() == fb.read()
        msps = seconds * 2.4e6 / 1e6
        print(json.dumps({"workload": "FM receiver on a recording", "seconds_of_signal": seconds,
                          "one_process_msps": round(msps / one, 1),
                          "two_processes_msps": round(msps / two, 1),
                          "ratio": round(one / two, 2), "start_up_s": [round(one0, 2), round(two0, 2)],
                          "running_ratio": round((one - one0) / (two - two0), 2),
                          "same_audio": same, "goal": 0.8}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
