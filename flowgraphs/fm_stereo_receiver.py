"""Broadcast FM stereo receiver: source → channel ↓5 → FM demod → stereo decoder → de-emphasis, 15 kHz ↓10 → stereo WAV.

    source (simulated stereo station: 1 kHz left, 3 kHz right; or a 2.4 Msps cu8 recording,
    an RTL-SDR, rtl_tcp) → WBFMStereoReceiver → WAVSink(channels=2) at 48 kHz

    sdrflow run flowgraphs/fm_stereo_receiver.py --output stereo.wav
    sdrflow run flowgraphs/fm_stereo_receiver.py --source rtl --frequency 98.5e6 --seconds 30
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import WAVSink, WBFMStereoReceiver
from sdrflow.sources import source_chain


def build(source: str = "sim", output: str = "stereo.wav", seconds: float = 5.0,
          tau: float = 75e-6, frequency: float = 98.5e6, gain: float = -1.0) -> Flowgraph:
    """Receive one FM stereo station and write left and right to a 48 kHz stereo WAV file.

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``): "sim" (a stereo station with 1 kHz on the left,
        3 kHz on the right), a 2.4 Msps .cu8 recording, "rtl", "rtl_tcp:HOST[:PORT]" …
    output : str
        WAV file to write.
    seconds : float
        How much to receive (0 = all of a recording).
    tau : float
        De-emphasis time constant in seconds (75e-6 Americas, 50e-6 Europe).
    frequency : float
        Station frequency in Hz, for a radio source.
    gain : float
        Tuner gain in dB for a radio source; negative = automatic.
    """
    if source == "sim":
        source = "sim:fm?stereo=1"
    chain, _ = source_chain(source, frequency=frequency, rate=2.4e6,
                            gain=None if gain < 0 else gain, seconds=seconds)
    fg = Flowgraph()
    rx, wav = WBFMStereoReceiver(tau=tau), WAVSink(output, channels=2)
    fg.connect(*chain, rx)
    fg.connect((rx, "left"), (wav, "left"))
    fg.connect((rx, "right"), (wav, "right"))
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
