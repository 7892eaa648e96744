"""Narrowband FM receiver (PMR446, marine, amateur): source → channel ↓ → squelch → FM demod → audio → WAV.

    source (simulated NBFM station, a recording, an RTL-SDR …) → FreqXlatingFilter (two steps,
    12.5 kHz channel) → NBFMReceiver (squelch, 2.5/5 kHz deviation) → WAVSink (48 kHz)

    sdrflow run flowgraphs/nbfm_receiver.py                                  # simulated, 2 s
    sdrflow run flowgraphs/nbfm_receiver.py --source rtl --frequency 446.00625e6 --squelch-db -40
"""
import sys

from sdrflow import Flowgraph
from sdrflow.receivers import receiver_graph


def build(source: str = "sim:nbfm", frequency: float = 446.00625e6, output: str = "nbfm.wav",
          seconds: float = 2.0, squelch_db: float = -60.0, bandwidth: float = 12.5e3,
          gain: float = -1.0) -> Flowgraph:
    """Receive one narrowband FM channel and write its audio to a 48 kHz WAV file.

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``); "sim:nbfm" is a 1 kHz tone station at the
        frequency asked.
    frequency : float
        Channel frequency in Hz (446.00625e6 is PMR446 channel 1).
    output : str
        WAV file to write.
    seconds : float
        How much to receive (0 = all of a recording).
    squelch_db : float
        Squelch level: channel power in dBFS below which the audio is muted.
    bandwidth : float
        Channel width in Hz (12.5e3; 25e3 for wide channels).
    gain : float
        Tuner gain in dB for a radio; negative = automatic.
    """
    return receiver_graph("fm", source, frequency, output, seconds, squelch_db, bandwidth,
                          None if gain < 0 else gain)


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
