"""Broadcast FM across two hosts: [dongle: source → channel filter ↓10] → CURVE tcp → [listener: FM demod → de-emphasis → audio ↓5 → WAV].

    dongle part:   source (simulated station, RTL-SDR, recording) → LowpassFilter(100 kHz, ↓10)
    listener part: FMDemod(75 kHz) → Deemphasis(tau) → LowpassFilter(15 kHz, ↓5) → WAVSink

The channel filter runs beside the dongle, so the network carries 240 kHz of I/Q (1.9 MB/s),
not 2.4 MHz. Without --part the whole graph runs here. With parts, each host starts its own
(keys from `sdrflow keygen dongle --dir keys` and `sdrflow keygen listener --dir keys`; each
host needs its own .key_secret and the other's .key):

    sdrflow run flowgraphs/fm_two_hosts.py --part dongle --keys keys --dongle-host 192.0.2.7 \\
        --bind 0.0.0.0 --source rtl --frequency 98.5M
    sdrflow run flowgraphs/fm_two_hosts.py --part listener --keys keys --dongle-host 192.0.2.7 \\
        --output fm.wav
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import WAVSink, WBFMReceiver
from sdrflow.sources import source_chain


def build(source: str = "sim", output: str = "fm.wav", dongle_host: str = "127.0.0.1",
          port: int = 5600, bind: str = "", rate: float = 2.4e6, seconds: float = 5.0,
          frequency: float = 98.5e6, tau: float = 75e-6) -> Flowgraph:
    """Receive one broadcast FM station, the dongle's half and the listener's half placed in
    two parts.

    Parameters
    ----------
    source : str
        Any source name on the dongle host (``sdrflow.sources``): "sim", "rtl", a recording …
    output : str
        WAV file the listener writes.
    dongle_host : str
        The address the listener reaches the dongle host by.
    port : int
        TCP port the dongle host sends the stream from.
    bind : str
        The dongle host's interface to listen on (default: dongle_host; "0.0.0.0" for all).
    rate : float
        Sample rate in Hz, a multiple of 240 kHz.
    seconds : float
        How much to receive (0 = the whole recording or until stopped).
    frequency : float
        Station frequency in Hz, for a radio source.
    tau : float
        De-emphasis time constant in seconds: 75e-6 (Americas) or 50e-6 (Europe).
    """
    chain, opened = source_chain(source, frequency=frequency, rate=rate, seconds=seconds)
    if opened.rate % 240e3:
        raise ValueError(f"{source} runs at {opened.rate:g} S/s; this receiver needs a multiple of 240 kHz")
    receiver, sink = WBFMReceiver(channel_decimation=int(opened.rate // 240e3), tau=tau), WAVSink(output)
    fg = Flowgraph()
    fg.connect(*chain, receiver, sink)
    fg.part("dongle", *chain, receiver.channel, host=dongle_host, port=port, bind=bind or None)
    fg.part("listener", receiver.demod, receiver.deemphasis, receiver.audio, sink)
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
