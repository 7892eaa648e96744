#!/usr/bin/env python3
"""Start-up: `import sdrflow.blocks`, a warm `sdrflow run flowgraphs/fm_receiver.py --seconds
0.1`, and a cold first run (Numba cache emptied in a copy of the sources).

    python benchmarks/bench_startup.py [--cold]

Each figure is the best of three runs of a fresh process (five for the warm run), in seconds
of wall time. Beside the warm run, and alternately with it, it times Numba's floor: a script
that imports numpy and Numba and calls one cached kernel, which any program with Numba kernels
pays before its first sample. The difference is sdrflow's own share of the start."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def best(cmd, env=None, runs=3):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, capture_output=True)
        times.append(time.perf_counter() - t0)
    return min(times)


FLOOR = """import numpy as np
from numba import njit

@njit(cache=True, nogil=True)
def total(x):
    s = 0.0
    for v in x:
        s += v
    return s

total(np.ones(3))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cold", action="store_true", help="also time a cold first run (~20 s)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "fm.wav")
        script = os.path.join(ROOT, "flowgraphs", "fm_receiver.py")
        run = [sys.executable, "-m", "sdrflow.cli", "run", script, "--seconds", "0.1",
               "--output", wav]
        imports = best([sys.executable, "-c", "import sdrflow.blocks"])
        print(f"import sdrflow.blocks: {imports:.2f} s")
        floor = os.path.join(tmp, "floor.py")
        with open(floor, "w") as f:
            f.write(FLOOR)
        subprocess.run([sys.executable, floor], check=True)  # fills the floor's cache
        # Alternately, so a slow spell of the host weighs on both alike.
        warm, numba_floor = [], []
        for _ in range(5):
            warm.append(best(run, runs=1))
            numba_floor.append(best([sys.executable, floor], runs=1))
        warm, numba_floor = min(warm), min(numba_floor)
        print(f"warm run of fm_receiver.py --seconds 0.1: {warm:.2f} s")
        print(f"Numba's floor (numpy, Numba, one cached kernel): {numba_floor:.2f} s; "
              f"sdrflow's share {warm - numba_floor:.2f} s")
        if args.cold:
            src = os.path.join(tmp, "src")
            shutil.copytree(os.path.join(ROOT, "src"), os.path.join(src, "sdrflow_src"))
            shutil.copytree(os.path.join(ROOT, "blocks"),
                            os.path.join(src, "sdrflow_src", "sdrflow", "blocks"))
            for folder, dirs, _ in os.walk(src):
                if "__pycache__" in dirs:
                    shutil.rmtree(os.path.join(folder, "__pycache__"))
            env = dict(os.environ, PYTHONPATH=os.path.join(src, "sdrflow_src"))
            print(f"cold first run: {best(run, env=env, runs=1):.2f} s")


if __name__ == "__main__":
    main()
