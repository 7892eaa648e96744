"""Remote source, the dongle host's half: source → Throttle (for simulations and files) → ZMQPushSink or ZMQPubSink, tagged, optionally CURVE-encrypted.

    source (a dongle, simulated station, recording) → ZMQPushSink (one receiver, lossless,
    backpressure) or ZMQPubSink (any number of receivers, loss counted by them); the first frame
    says the item type and rate, the last marks the end, so flowgraphs/remote_receiver.py needs
    neither. With --secret and --clients the link is encrypted and only those keys get it.

    sdrflow keygen dongle-host; sdrflow keygen laptop          # once; copy the .key files across
    sdrflow run flowgraphs/remote_source.py --source rtl -f 98.5M --seconds 0 \\
        --address tcp://0.0.0.0:5560 --secret dongle-host.key_secret --clients laptop.key
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import ZMQPubSink, ZMQPushSink
from sdrflow.sources import source_chain


def build(source: str = "sim", frequency: float = 98.5e6, rate: float = 2.4e6,
          seconds: float = 10.0, address: str = "tcp://127.0.0.1:5560", pattern: str = "push",
          secret: str = "", clients: str = "", gain: float = -1.0) -> Flowgraph:
    """Serve a source's I/Q to receivers on other hosts.

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``): "sim" (an FM station), "rtl", a recording …
    frequency : float
        Centre frequency in Hz for a radio.
    rate : float
        Sample rate in Hz for a radio or raw recording.
    seconds : float
        How long to serve (0 = until the source ends or Ctrl-C).
    address : str
        Where to bind (loopback unless given: tcp://0.0.0.0:5560 for every interface).
    pattern : str
        "push" (one receiver, nothing lost) or "pub" (any number, losses counted by them).
    secret : str
        This host's secret key file (``sdrflow keygen NAME`` → NAME.key_secret) for CURVE.
    clients : str
        Comma-separated public key files (or a folder of them) of the receivers let in.
    gain : float
        Tuner gain in dB for a radio; negative = automatic.
    """
    if pattern not in ("push", "pub"):
        raise ValueError(f"pattern must be push or pub, got {pattern!r}")
    if bool(secret) != bool(clients):
        raise ValueError("CURVE needs both --secret (this host's key) and --clients (the receivers' keys)")
    chain, _ = source_chain(source, frequency=frequency, rate=rate,
                            gain=None if gain < 0 else gain,
                            seconds=seconds if seconds > 0 else None, pace=True)
    sink = (ZMQPushSink if pattern == "push" else ZMQPubSink)(address, pass_tags=True)
    if secret:
        sink.secure(secret, clients=[c for c in clients.split(",") if c])
    fg = Flowgraph()
    fg.connect(*chain, sink)
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
