"""I/Q server: source → Throttle (real time) → ZMQPubSink, for GNU Radio or sdrflow clients on other hosts.

    source (simulated FM station, a cu8 recording, an RTL-SDR) → Throttle → ZMQPubSink (tags on)

    sdrflow run flowgraphs/iq_server.py --address tcp://*:5556   # every interface
    # in GNU Radio: zeromq.sub_source(gr.sizeof_gr_complex, 1, "tcp://HOST:5556", 100, True)
    # in sdrflow:   ZMQSubSource("tcp://HOST:5556", rate=2.4e6, pass_tags=True)
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import ZMQPubSink
from sdrflow.sources import source_chain


def build(source: str = "sim", address: str = "tcp://127.0.0.1:5556", seconds: float = 10.0,
          frequency: float = 98.5e6, key: str = "") -> Flowgraph:
    """Publish complex64 I/Q at 2.4 Msps over ZeroMQ with gr-zeromq tag headers.

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``): "sim" (an FM station), a .cu8 recording, "rtl" …
    address : str
        ZeroMQ address to bind (loopback by default; tcp://*:5556 serves every interface).
    seconds : float
        How long to serve (0 = until the source ends or Ctrl-C).
    frequency : float
        Centre frequency in Hz, for the RTL-SDR.
    key : str
        PUB topic ("" = none).
    """
    chain, _ = source_chain(source, frequency=frequency, rate=2.4e6,
                            seconds=seconds if seconds > 0 else None, pace=True)
    fg = Flowgraph()
    fg.connect(*chain, ZMQPubSink(address, key=key, pass_tags=True))
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
