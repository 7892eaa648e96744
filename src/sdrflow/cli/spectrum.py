"""``sdrflow spectrum``: a picture of a band — the averaged spectrum above a waterfall.

    sdrflow spectrum --source rtl -f 100M -o band.png --seconds 5
    sdrflow spectrum --source rec.cu8 -s 2.4M -o rec.png

Frequency axis in Hz (absolute where the source knows its centre), a dB colour bar. Needs
matplotlib (extra ``plot``).
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from .core import FAILED, USAGE, add_dongle_letters, need_matplotlib, refused_code, run_graph, si


def parser():
    ap = argparse.ArgumentParser(prog="sdrflow spectrum", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--source", default="rtl", help="what to look at (rtl)")
    ap.add_argument("--stats", action="store_true", help="print counters at the end (stderr)")
    ap.add_argument("-o", "--output", required=True, help="picture to write (.png, .svg, .pdf)")
    ap.add_argument("-f", "--frequency", type=si, default=None, help="centre frequency")
    ap.add_argument("-s", "--rate", type=si, default=None, help="sample rate (2.4M for radios)")
    ap.add_argument("-g", "--gain", type=si, default=None, help="tuner gain in dB (automatic)")
    add_dongle_letters(ap)
    ap.add_argument("--seconds", type=si, default=2.0, help="how much to look at (2)")
    ap.add_argument("--fft", type=int, default=2048, help="FFT size (2048)")
    ap.add_argument("--rows", type=int, default=200, help="waterfall rows (200)")
    return ap


def picture(rows, rate, centre, path, title):
    """Average of ``rows`` (power per bin, linear) above them as a waterfall."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = rows.shape[1]
    unit = 1e6 if centre else 1e3  # MHz on the air, kHz from an unknown centre
    freqs = ((np.arange(size) - size // 2) * rate / size + (centre or 0.0)) / unit
    db = 10 * np.log10(np.maximum(rows, 1e-20))
    average = 10 * np.log10(np.maximum(rows.mean(axis=0), 1e-20))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [1, 2]})
    top.plot(freqs, average, lw=0.7)
    top.set_ylabel("power per bin (dBFS)")
    top.set_title(title)
    top.grid(alpha=0.3)
    lo, hi = np.percentile(db, 5) - 5, db.max() + 3
    step = rate / size / unit
    mesh = bottom.imshow(db, aspect="auto", cmap="viridis", vmin=lo, vmax=hi, interpolation="nearest",
                         extent=[freqs[0] - step / 2, freqs[-1] + step / 2, len(db), 0])
    bottom.set_xlabel("frequency (MHz)" if centre else "offset from the centre (kHz)")
    bottom.ticklabel_format(axis="x", useOffset=False)
    bottom.set_ylabel("row (time runs down)")
    fig.colorbar(mesh, ax=[top, bottom], label="dBFS")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main_spectrum(argv) -> int:
    from sdrflow import Flowgraph
    from sdrflow.blocks import CallbackSink

    from ..errors import GraphError
    from ..sources import on_dongle, source_chain

    args = parser().parse_args(argv)
    if args.fft < 16 or args.fft & (args.fft - 1):
        sys.stderr.write(f"error: --fft must be a power of two >= 16, got {args.fft}\n")
        return USAGE
    try:
        need_matplotlib(args.output)
    except ValueError as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    frames = []
    held = [np.zeros(0, np.complex64)]
    window = np.hanning(args.fft).astype(np.float32)
    norm = 1.0 / (args.fft * np.sum(window ** 2))

    def collect(x):
        x = np.concatenate([held[0], x])
        count = len(x) // args.fft
        if count:
            spectra = np.fft.fftshift(np.fft.fft(x[:count * args.fft].reshape(count, args.fft) * window,
                                                 axis=1), axes=1)
            frames.append((spectra.real ** 2 + spectra.imag ** 2) * norm)
        held[0] = x[count * args.fft:]

    try:
        args.source = on_dongle(args.source, "-p", args.device, ppm=args.ppm)
        chain, opened = source_chain(args.source, frequency=args.frequency, rate=args.rate,
                                     gain=args.gain, seconds=args.seconds)
        fg = Flowgraph(chunk=65536)
        fg.connect(*chain, CallbackSink(collect))
    except (ValueError, GraphError) as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    try:
        code = run_graph(fg, stats=args.stats)
    except (ValueError, GraphError) as e:  # refused at start: no dongle, busy …
        sys.stderr.write(f"error: {e}\n")
        return refused_code(e)
    if not frames:
        sys.stderr.write("error: the source gave less than one FFT frame\n")
        return FAILED
    spectra = np.concatenate(frames)
    per_row = max(1, len(spectra) // args.rows)  # average frames into the waterfall's rows
    rows = spectra[:len(spectra) // per_row * per_row].reshape(-1, per_row, args.fft).mean(axis=1)
    picture(rows, opened.rate, opened.frequency, args.output, f"sdrflow spectrum {args.source}")
    sys.stderr.write(f"wrote {args.output}: {len(rows)} rows of {args.fft} bins\n")
    return code
