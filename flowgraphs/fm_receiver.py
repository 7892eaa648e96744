"""Broadcast FM receiver: source → channel filter ↓10 → FM demod → de-emphasis → audio filter ↓5 → WAV.

    source (simulated station, cu8 recording, RTL-SDR or rtl_tcp at 2.4 Msps)
    → LowpassFilter(100 kHz, ↓10) → FMDemod(75 kHz) → Deemphasis(tau) → LowpassFilter(15 kHz, ↓5)
    → WAVSink (48 kHz)

    sdrflow run flowgraphs/fm_receiver.py                      # simulated station, 5 s
    sdrflow run flowgraphs/fm_receiver.py --source rec.cu8 --output fm.wav --tau 50e-6
    sdrflow run flowgraphs/fm_receiver.py --source rtl --frequency 98.5e6 --seconds 30
    sdrflow run flowgraphs/fm_receiver.py --source rtl_tcp:192.0.2.7:1234 --frequency 98.5e6
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import WAVSink, WBFMReceiver
from sdrflow.sources import source_chain


def build(source: str = "sim", output: str = "fm.wav", rate: float = 2.4e6,
          seconds: float = 5.0, tau: float = 75e-6, cnr_db: float = 30.0,
          frequency: float = 98.5e6, gain: float = -1.0) -> Flowgraph:
    """Receive one broadcast FM station and write its audio to a 48 kHz WAV file.

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``): "sim" for the simulated station (1 kHz and 3 kHz
        tones), a .cu8 recording tuned to the station, "rtl", "rtl_tcp:HOST[:PORT]" …
    output : str
        WAV file to write.
    rate : float
        Input sample rate in Hz, a multiple of 240 kHz (2.4e6 as an RTL-SDR).
    seconds : float
        How much to receive (0 = the whole recording; the simulation needs a length).
    tau : float
        De-emphasis time constant in seconds: 75e-6 (Americas) or 50e-6 (Europe).
    cnr_db : float
        Carrier-to-noise ratio of the simulated station, in dB within 200 kHz.
    frequency : float
        Station frequency in Hz, for a radio source.
    gain : float
        Tuner gain in dB for a radio source; negative = automatic.
    """
    if rate % 240e3:
        raise ValueError(f"rate must be a multiple of 240 kHz (e.g. 2.4e6) for 48 kHz audio, got {rate:g}")
    if source == "sim":
        source = f"sim:fm?cnr={cnr_db:g}"
    chain, opened = source_chain(source, frequency=frequency, rate=rate,
                                 gain=None if gain < 0 else gain, seconds=seconds)
    rate = opened.rate
    if rate % 240e3:
        raise ValueError(f"{source} runs at {rate:g} S/s; this receiver needs a multiple of 240 kHz")
    fg = Flowgraph()
    fg.connect(*chain, WBFMReceiver(channel_decimation=int(rate // 240e3), audio_decimation=5,
                                    tau=tau), WAVSink(output))
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
