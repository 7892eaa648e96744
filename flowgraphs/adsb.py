"""ADS-B / Mode S receiver, dump1090's job: source (2 or 2.4 Msps at 1090 MHz) → ModeSDemod → ModeSDecoder → *HEX; lines or a table, raw 30002, SBS-1 30003, Beast 30005.

    source (simulated traffic of two aircraft in flight; a dongle at 1090 MHz; a 2 or 2.4 Msps recording)
    → ModeSDemod (preamble, bits with dump1090's phase correction, CRC-24, one-bit repair)
    → ModeSDecoder (fields and positions with pyModeS; single-message positions near --lat/--lon)
    → ModeSOutput (stdout *HEX;, JSON lines or an aircraft table; raw, SBS-1 and Beast on TCP)

    sdrflow run flowgraphs/adsb.py                                           # simulated, 5 s
    sdrflow run flowgraphs/adsb.py --source rtl --rate 2.4M --seconds 0 --stdout table \\
        --lat 37.0 --lon 13.8 --raw-port 30002 --sbs-port 30003 --beast-port 30005
    sdrflow run flowgraphs/adsb.py --source capture.cu8 --stdout json
"""
import sys

from sdrflow import Flowgraph
from sdrflow.blocks import ModeSDemod, ModeSOutput
from sdrflow.sources import source_chain


def build(source: str = "sim:adsb", seconds: float = 5.0, rate: float = 2e6,
          stdout: str = "raw", raw_port: int = -1, sbs_port: int = -1, beast_port: int = -1,
          bind: str = "127.0.0.1", lat: float = 999.0, lon: float = 999.0,
          gain: float = -1.0, ttl: float = 60.0) -> Flowgraph:
    """Decode Mode S frames and hand them on as dump1090 does.

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``); "sim:adsb" is simulated traffic (2 Msps).
    seconds : float
        How long to listen (0 = until the source ends or Ctrl-C).
    rate : float
        Sample rate for a radio or a raw recording: 2M or 2.4M.
    stdout : str
        "raw" for *HEX; lines (dump1090 --raw), "json" for JSON lines with the decoded
        fields, "table" for an aircraft table (dump1090 --interactive), "" for nothing.
    raw_port : int
        TCP port for raw frames (30002 as dump1090; -1 = none).
    sbs_port : int
        TCP port for BaseStation/SBS-1 lines (30003 as dump1090; -1 = none).
    beast_port : int
        TCP port for Beast binary (30005 as dump1090; -1 = none).
    bind : str
        Address of the TCP ports (127.0.0.1 unless others must reach them).
    lat : float
        Receiver latitude in degrees, for positions from single messages (dump1090 --lat).
    lon : float
        Receiver longitude in degrees (dump1090 --lon).
    gain : float
        Tuner gain in dB for a radio; negative = automatic.
    ttl : float
        Seconds an aircraft stays in the table after its last frame (dump1090
        --interactive-ttl).
    """
    if (lat == 999.0) != (lon == 999.0):
        raise ValueError("give both --lat and --lon (the receiver's position), or neither")
    chain, _ = source_chain(source, frequency=1090e6, rate=rate, gain=None if gain < 0 else gain,
                            seconds=seconds if seconds > 0 else None, pace=source.startswith("sim"))
    fg = Flowgraph()
    demod = ModeSDemod()
    out = ModeSOutput(stdout, None if raw_port < 0 else raw_port,
                      None if beast_port < 0 else beast_port, bind,
                      sbs_port=None if sbs_port < 0 else sbs_port, ttl=ttl)
    fg.connect(*chain, demod)
    try:
        from sdrflow.blocks import ModeSDecoder

        decoder = ModeSDecoder(reference=None if lat == 999.0 else (lat, lon))
    except ValueError:  # no pyModeS: frames only
        if stdout in ("json", "table") or sbs_port >= 0 or lat != 999.0:
            raise ValueError("decoded fields (--stdout json/table, --sbs-port, --lat/--lon) need "
                             "pyModeS: pip install 'sdrflow[adsb]'") from None
        fg.connect((demod, "frames"), (out, "in"))
    else:
        fg.connect((demod, "frames"), (decoder, "in"))
        fg.connect((decoder, "out"), (out, "in"))
    fg.outputs = out
    return fg


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
