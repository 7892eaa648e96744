"""ADS-B / Mode S receiver, dump1090's job: source (2 Msps at 1090 MHz) → ModeSDemod → *HEX; lines, raw TCP 30002, Beast TCP 30005.

    source (simulated traffic of two aircraft; a dongle at 1090 MHz; a 2 Msps cu8 recording)
    → ModeSDemod (preamble, bits with dump1090's phase correction, CRC-24, one-bit repair)
    → ModeSOutput (stdout *HEX; or JSON lines; raw frames and Beast binary on TCP)

    sdrflow run flowgraphs/adsb.py                                           # simulated, 5 s
    sdrflow run flowgraphs/adsb.py --source rtl --seconds 0 --raw-port 30002 --beast-port 30005
    sdrflow run flowgraphs/adsb.py --source capture.cu8 --stdout json
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import ModeSDemod, ModeSOutput
from sdrflow.sources import source_chain


def build(source: str = "sim:adsb", seconds: float = 5.0, stdout: str = "raw",
          raw_port: int = -1, beast_port: int = -1, bind: str = "127.0.0.1",
          gain: float = -1.0) -> Flowgraph:
    """Decode Mode S frames and hand them on as dump1090 does.

    Parameters
    ----------
    source : str
        Any source name at 2 Msps (``sdrflow.sources``); "sim:adsb" is simulated traffic.
    seconds : float
        How long to listen (0 = until the source ends or Ctrl-C).
    stdout : str
        "raw" for *HEX; lines (dump1090 --raw), "json" for JSON lines, "" for nothing.
    raw_port : int
        TCP port for raw frames (30002 as dump1090; -1 = none).
    beast_port : int
        TCP port for Beast binary (30005 as dump1090; -1 = none).
    bind : str
        Address of the TCP ports (127.0.0.1 unless others must reach them).
    gain : float
        Tuner gain in dB for a radio; negative = automatic.
    """
    chain, _ = source_chain(source, frequency=1090e6, rate=2e6, gain=None if gain < 0 else gain,
                            seconds=seconds if seconds > 0 else None, pace=source.startswith("sim"))
    fg = Flowgraph()
    demod = ModeSDemod()
    out = ModeSOutput(stdout, None if raw_port < 0 else raw_port,
                      None if beast_port < 0 else beast_port, bind)
    fg.connect(*chain, demod)
    fg.connect((demod, "frames"), (out, "in"))
    fg.outputs = out
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
