"""RDS of a broadcast FM station, redsea's job: source → channel ↓10 → FM demod → RDSDemod → RDSDecoder → JSON lines.

    source (the simulated station with RDS; a dongle or rtl_tcp tuned to a station; a 2.4 MS/s
    cu8 recording) → FreqXlatingFilter(100 kHz, ↓10) → FMDemod (the 240 kHz multiplex)
    → RDSDemod (57 kHz subcarrier, chip timing, Costas loop, biphase, differential decoding)
    → RDSDecoder (blocks by checkword, groups) → one JSON line per group

    sdrflow run flowgraphs/rds.py                                           # simulated, 10 s
    sdrflow run flowgraphs/rds.py --source rtl --frequency 98.5e6 --seconds 0 --rbds
    sdrflow run flowgraphs/rds.py --source rec.cu8 --output groups.jsonl --stats
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import FMDemod, FreqXlatingFilter, MessageSink, RDSDecoder, RDSDemod
from sdrflow.receivers import station_source


def build(source: str = "sim:fm?rds=1", frequency: float = 98.5e6, rate: float = 2.4e6,
          seconds: float = 10.0, rbds: bool = False, output: str = "-",
          gain: float = -1.0) -> Flowgraph:
    """Decode the RDS groups of one station, as redsea prints them: ``pi``, ``group``, ``tp``,
    ``prog_type`` and, when a group completes one, ``ps``, ``radiotext`` or ``clock_time``.

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``); "sim:fm?rds=1" is the simulated station with
        its name and radiotext.
    frequency : float
        The station's frequency in Hz; a radio is tuned a quarter of the rate above it (its DC
        spike stays out of the channel).
    rate : float
        Sample rate in Hz, a multiple of 240 kHz (2.4e6 as an RTL-SDR).
    seconds : float
        How long to listen (0 = until the source ends or Ctrl-C; the simulation then runs in
        real time).
    rbds : bool
        North American RBDS: its programme type names, and call letters from the PI code.
    output : str
        Where the JSON lines go ("-" = standard output, or a file).
    gain : float
        Tuner gain in dB for a radio; negative = automatic.
    """
    if rate % 240e3:
        raise ValueError(f"rate must be a multiple of 240 kHz (e.g. 2.4e6), got {rate:g}")
    endless = not seconds > 0  # a simulation then runs at the pace of a real one
    chain, opened, offset = station_source(source, frequency, rate,
                                           None if gain < 0 else gain,
                                           None if endless else seconds,
                                           pace=endless and source.startswith("sim"))
    fg = Flowgraph(chunk=16384)
    decoder = RDSDecoder(rbds=rbds)
    fg.connect(*chain, FreqXlatingFilter(offset, cutoff=100e3, transition=40e3,
                                         decimation=int(opened.rate // 240e3)),
               FMDemod(75e3), RDSDemod(), decoder)
    fg.connect((decoder, "out"), (MessageSink(jsonl=output, keep=False), "in"))
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
