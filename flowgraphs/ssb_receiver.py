"""SSB receiver (amateur HF/VHF voice): source → channel ↓ → sideband filter → product detector → AGC → WAV.

    source (simulated USB/LSB station, a recording, an RTL-SDR with direct sampling …)
    → FreqXlatingFilter (two steps) → SSBDemod (one-sided band-pass, real part, AGC) → WAVSink

    sdrflow run flowgraphs/ssb_receiver.py                                    # simulated USB, 2 s
    sdrflow run flowgraphs/ssb_receiver.py --source "rtl?direct=q" --frequency 14.2e6 --sideband usb
"""
import sys

from sdrflow import Flowgraph
from sdrflow.receivers import receiver_graph


def build(source: str = "sim:usb", frequency: float = 144.3e6, sideband: str = "usb",
          output: str = "ssb.wav", seconds: float = 2.0, gain: float = -1.0) -> Flowgraph:
    """Receive one single-sideband voice channel to a 48 kHz WAV file.

    Parameters
    ----------
    source : str
        Any source name; "sim:usb" and "sim:lsb" are a 1 kHz tone on that sideband.
    frequency : float
        Suppressed-carrier frequency in Hz (the dial frequency).
    sideband : str
        usb or lsb.
    output : str
        WAV file to write.
    seconds : float
        How much to receive (0 = all of a recording).
    gain : float
        Tuner gain in dB for a radio; negative = automatic.
    """
    if sideband not in ("usb", "lsb"):
        raise ValueError(f"sideband must be usb or lsb, got {sideband!r}")
    return receiver_graph(sideband, source, frequency, output, seconds, None, 6e3,
                          None if gain < 0 else gain)


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
