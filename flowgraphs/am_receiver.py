"""Airband AM receiver (25 and 8.33 kHz channels): source → channel ↓ → squelch → AM detector → audio → WAV.

    source (simulated AM station, a recording, an RTL-SDR …) → FreqXlatingFilter (two steps)
    → PowerSquelch → AMDemod (envelope, DC removal, AGC) → WAVSink (48 kHz)

    sdrflow run flowgraphs/am_receiver.py                                     # simulated, 2 s
    sdrflow run flowgraphs/am_receiver.py --source rtl --frequency 118.1e6 --bandwidth 8.33e3
"""
import sys

from sdrflow import Flowgraph
from sdrflow.receivers import receiver_graph


def build(source: str = "sim:am", frequency: float = 118.1e6, output: str = "am.wav",
          seconds: float = 2.0, squelch_db: float = -60.0, bandwidth: float = 8.33e3,
          gain: float = -1.0) -> Flowgraph:
    """Receive one AM channel (airband: 25 kHz or 8.33 kHz spacing) to a 48 kHz WAV file.

    Parameters
    ----------
    source : str
        Any source name; "sim:am" is a 1 kHz tone AM station at the frequency asked.
    frequency : float
        Channel frequency in Hz.
    output : str
        WAV file to write.
    seconds : float
        How much to receive (0 = all of a recording).
    squelch_db : float
        Squelch level: channel power in dBFS below which the audio is muted.
    bandwidth : float
        Channel width in Hz: 8.33e3 or 25e3 (the audio is its half, up to 5 kHz).
    gain : float
        Tuner gain in dB for a radio; negative = automatic.
    """
    return receiver_graph("am", source, frequency, output, seconds, squelch_db, bandwidth,
                          None if gain < 0 else gain)


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
