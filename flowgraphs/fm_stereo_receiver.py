"""Broadcast FM stereo receiver: source → channel ↓5 → FM demod → stereo decoder → de-emphasis, 15 kHz ↓10 → stereo WAV.

    source (simulated stereo station: 1 kHz left, 3 kHz right; or a 2.4 Msps cu8 recording,
    an RTL-SDR, rtl_tcp) → WBFMStereoReceiver → WAVSink(channels=2) at 48 kHz

    sdrflow run flowgraphs/fm_stereo_receiver.py --output stereo.wav
    sdrflow run flowgraphs/fm_stereo_receiver.py --source rtl --frequency 98.5e6 --seconds 30
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import (FileSource, FMStationSource, Head, RtlSdrSource, RtlTcpSource, WAVSink,
                            WBFMStereoReceiver)


def build(source: str = "sim", output: str = "stereo.wav", seconds: float = 5.0,
          tau: float = 75e-6, frequency: float = 98.5e6, gain: float = -1.0) -> Flowgraph:
    """Receive one FM stereo station and write left and right to a 48 kHz stereo WAV file.

    Parameters
    ----------
    source : str
        "sim" (a stereo station with 1 kHz on the left, 3 kHz on the right), a 2.4 Msps .cu8
        recording, "rtl", or "rtl_tcp:HOST[:PORT]".
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
    rate = 2.4e6
    tuner_gain = None if gain < 0 else gain
    if source == "sim":
        if not seconds > 0:
            raise ValueError("the simulated station needs --seconds > 0")
        chain = [FMStationSource(rate=rate, seconds=seconds, tones=(1000.0,), levels=(1.0,),
                                 right_tones=(3000.0,), right_levels=(1.0,))]
    else:
        if source == "rtl":
            src = RtlSdrSource(frequency, rate=rate, gain=tuner_gain)
        elif source.startswith("rtl_tcp:"):
            host, _, port = source[len("rtl_tcp:"):].partition(":")
            src = RtlTcpSource(frequency, rate=rate, host=host or "127.0.0.1", port=int(port or 1234),
                               gain=tuner_gain)
        else:
            src = FileSource(source, rate=rate, format="cu8")
        chain = [src] + ([Head(int(seconds * rate))] if seconds > 0 else [])
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
