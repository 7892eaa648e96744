"""Remote receiver, the listening host's half: ZMQPullSource or ZMQSubSource (type and rate learnt, CURVE optional) → WBFMReceiver → WAV or the sound card.

    ZMQPullSource / ZMQSubSource (learns the item type and rate from flowgraphs/remote_source.py,
    ends with it, counts every lost item) → WBFMReceiver (channel ↓, FM demod, de-emphasis,
    audio ↓) → WAVSink or AudioSink

    sdrflow run flowgraphs/remote_receiver.py --address tcp://dongle-host:5560 \\
        --secret laptop.key_secret --server-key dongle-host.key --output card
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import AudioSink, WAVSink, WBFMReceiver, ZMQPullSource, ZMQSubSource


def build(address: str = "tcp://127.0.0.1:5560", pattern: str = "pull", output: str = "remote.wav",
          secret: str = "", server_key: str = "", tau: float = 75e-6,
          wait: float = 10.0) -> Flowgraph:
    """Receive a remote source's I/Q and demodulate broadcast FM.

    Parameters
    ----------
    address : str
        The remote source's address.
    pattern : str
        "pull" (from a push source) or "sub" (from a pub source).
    output : str
        WAV file to write, or "card" for the sound card (extra ``audio``).
    secret : str
        This host's secret key file for CURVE (``sdrflow keygen NAME``).
    server_key : str
        The remote source's public key file.
    tau : float
        De-emphasis time constant in seconds (75e-6 Americas, 50e-6 Europe).
    wait : float
        Seconds to wait for the remote source's first frame (it says the type and rate).
    """
    if pattern not in ("pull", "sub"):
        raise ValueError(f"pattern must be pull or sub, got {pattern!r}")
    if bool(secret) != bool(server_key):
        raise ValueError("CURVE needs both --secret (this host's key) and --server-key (the source's key)")
    source = (ZMQPullSource if pattern == "pull" else ZMQSubSource)(address, pass_tags=True,
                                                                    learn_timeout=wait)
    if secret:
        source.secure(secret, server_key=server_key)
    rate = source.output_rate(None)  # learnt from the first frame
    if rate % 240e3:
        raise ValueError(f"the remote source runs at {rate:g} S/s; this receiver needs a multiple of 240 kHz")
    fg = Flowgraph()
    fg.connect(source, WBFMReceiver(channel_decimation=int(rate // 240e3), audio_decimation=5, tau=tau),
               AudioSink() if output == "card" else WAVSink(output))
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
