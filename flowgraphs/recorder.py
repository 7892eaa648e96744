"""Recorder: source → Head (seconds) → FileSink (.cu8/.cs8/.cs16/.cf32) or SigMFSink (.sigmf-meta).

    source (simulated station, a dongle, rtl_tcp …) → Head → file, with rate, frequency and a
    capture per retune in SigMF

    sdrflow run flowgraphs/recorder.py                                      # 1 s of the simulation
    sdrflow run flowgraphs/recorder.py --source rtl --frequency 98.5e6 --output fm.sigmf-meta --seconds 10
"""
import sys

from sdrflow import Flowgraph


def build(source: str = "sim", frequency: float = 98.5e6, rate: float = 2.4e6,
          output: str = "recording.cu8", seconds: float = 1.0) -> Flowgraph:
    """Record any source to a file, as rtl_sdr does (the same graph as ``sdrflow record``).

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``).
    frequency : float
        Centre frequency in Hz.
    rate : float
        Sample rate in Hz.
    output : str
        FILE.cu8, .cs8, .cs16, .cf32 or .sigmf-meta.
    seconds : float
        How long to record.
    """
    from sdrflow.cli.record import build_record

    fg, _, _ = build_record(source, output, frequency, rate, None, seconds)
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
