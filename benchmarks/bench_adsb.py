#!/usr/bin/env python3
"""ADS-B: how many times real time ModeSDemod runs on one core (not part of the tests).

    python benchmarks/bench_adsb.py          # prints a Markdown table

Two inputs at 2 and at 2.4 Msps: a quiet band (dongle noise, quantised to cu8: the preamble
search alone) and the real modes1 capture repeated (dump1090's --snip left nothing but frames:
the densest traffic there is; at 2.4 Msps brought there by scipy's resample_poly and quantised
back to cu8). One worker thread; the figure is the best of three runs of ten seconds of signal,
source included. The goal of issue 8 is ≥ 20× real time at 2.4 Msps."""
import os
import time

import numpy as np
from scipy.signal import resample_poly

from sdrflow import Flowgraph
from sdrflow.blocks import ModeSDemod, VectorSource

DATA = os.environ.get("SDRFLOW_REAL_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "real"))


def cu8(z):
    """As a dongle would deliver it: rounded to 8 bits, then scaled as FileSource does."""
    re = np.clip(np.round(z.real * 127.5 + 127.5), 0, 255)
    im = np.clip(np.round(z.imag * 127.5 + 127.5), 0, 255)
    return (((re - 127.5) + 1j * (im - 127.5)) / 127.5).astype(np.complex64)


def times_real_time(x, rate, seconds=10.0):
    n = int(seconds * rate)
    best = 0.0
    for _ in range(3):
        fg = Flowgraph(chunk=65536, threads=1)
        demod = ModeSDemod()
        fg.connect(VectorSource(np.resize(x, n), rate=rate), demod)
        t = time.perf_counter()
        fg.run()
        best = max(best, seconds / (time.perf_counter() - t))
    return best, demod.frames_found


def main():
    rng = np.random.default_rng(0)
    quiet = cu8((rng.standard_normal(2_400_000) + 1j * rng.standard_normal(2_400_000)) * 0.05)
    raw = np.fromfile(os.path.join(DATA, "adsb", "modes1_1090M_2000k.cu8"), np.uint8).astype(np.float64)
    modes1 = ((raw[0::2] - 127.5) + 1j * (raw[1::2] - 127.5)) / 127.5
    print("| input | rate | × real time | frames in 10 s |\n|---|---:|---:|---:|")
    for name, x2, x24 in (("quiet band", quiet[:2_000_000], quiet),
                          ("modes1 repeated", cu8(modes1), cu8(resample_poly(modes1, 6, 5)))):
        for rate, x in ((2e6, x2), (2.4e6, x24)):
            factor, frames = times_real_time(x, rate)
            print(f"| {name} | {rate / 1e6:g} Msps | {factor:.1f} | {frames} |", flush=True)


if __name__ == "__main__":
    main()
