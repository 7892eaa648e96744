"""Channel scanner: source → channel filter hopping over the channels → squelch → hits (frequency, level, time).

    source (the simulated band with stations fixed at 100 MHz −400k, +150k, +600k; a dongle …)
    → FreqXlatingFilter → LowpassFilter → ChannelScanner (hops while quiet, logs each signal)

    sdrflow run flowgraphs/scanner.py                                        # simulated band
    sdrflow run flowgraphs/scanner.py --source rtl --start 446.00625e6 --stop 446.19375e6 --step 12.5e3
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import ChannelScanner, NullSink
from sdrflow.receivers import add_receiver
from sdrflow.sources import source_chain


def build(source: str = "sim:band?at=100M", start: float = 100.1e6, stop: float = 100.2e6,
          step: float = 25e3, squelch_db: float = -50.0, seconds: float = 2.0,
          dwell: float = 0.05) -> Flowgraph:
    """Scan channels from ``start`` to ``stop``; print each busy channel with its level and time.

    Parameters
    ----------
    source : str
        Any source name; "sim:band?at=100M" has an NBFM station at 100.15 MHz.
    start, stop, step : float
        The channels, in Hz (inclusive); they must fit in the 2.4 MHz the source covers.
    squelch_db : float
        Channel power in dBFS at which a channel is busy.
    seconds : float
        How long to scan (0 = until the source ends or Ctrl-C).
    dwell : float
        Seconds of quiet on a channel before moving on.
    """
    rate = 2.4e6
    channels = [start + i * step for i in range(int(round((stop - start) / step)) + 1)]
    if channels[-1] - channels[0] > 0.8 * rate:
        raise ValueError("the channels span more than the 1.92 MHz the source covers")
    tuned = (channels[0] + channels[-1]) / 2 + rate / 4
    chain, opened = source_chain(source, frequency=tuned, rate=rate, seconds=seconds)
    fg = Flowgraph(chunk=16384)
    if len(chain) > 1:
        fg.connect(*chain)
    rx = add_receiver(fg, chain[-1], rate, "fm", offset=channels[0] - tuned)
    scanner = ChannelScanner([f - tuned for f in channels], squelch_db, dwell=dwell, centre=tuned)
    fg.connect(rx.narrow, scanner)
    fg.connect((scanner, "ctrl"), (rx.channel, "ctrl"))
    fg.connect(rx.audio[0], NullSink())
    fg.scanner = scanner
    return fg


def main(argv=None) -> int:
    import logging

    from sdrflow.cli import run_flowgraph

    logging.getLogger("sdrflow.blocks.channel_scanner").setLevel(logging.INFO)
    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
