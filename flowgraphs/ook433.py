"""433 MHz OOK sensors, rtl_433's first step: source → OOKDemod → bursts (pulse and gap widths, bits) and RadioHead ASK messages as JSON lines.

    source (a simulated Sensible Living moisture sensor; a dongle at 433.92 MHz; a 250 kHz cu8
    recording) → OOKDemod (envelope, adaptive noise floor, glitch rejection, pulse and gap
    widths, PCM bits) → RadioHeadDecoder (preamble, 4-to-6 symbols, CRC) → JSON lines

    sdrflow run flowgraphs/ook433.py                                        # simulated, 3 s
    sdrflow run flowgraphs/ook433.py --source g002_433.92M_250k.cu8   # rtl_433's test recording
    sdrflow run flowgraphs/ook433.py --source rtl --seconds 0 --decoder radiohead --bit-rate 2000
"""
import sys

from sdrflow import Flowgraph
from sdrflow.block import Block
from sdrflow.blocks import MessageSink, NullSink, OOKDemod, RadioHeadDecoder
from sdrflow.sources import source_chain


def build(source: str = "sim:ook", frequency: float = 433.92e6, rate: float = 250e3,
          seconds: float = 3.0, bit_rate: float = 1000.0, decoder: str = "sensible_living",
          bursts: bool = True, snr_db: float = 10.0, min_pulse: float = 40e-6,
          output: str = "-", gain: float = -1.0) -> Flowgraph:
    """Find OOK bursts and decode RadioHead ASK messages in them.

    Parameters
    ----------
    source : str
        Any source name (``sdrflow.sources``); "sim:ook" is a Sensible Living sensor sending
        every second.
    frequency : float
        Centre frequency in Hz for a radio.
    rate : float
        Sample rate in Hz (250k as rtl_433); a cu8 recording needs it.
    seconds : float
        How long to listen (0 = until the source ends or Ctrl-C).
    bit_rate : float
        Bits per second of the PCM bits (RadioHead: 2000 by default, Sensible Living 1000).
    decoder : str
        "sensible_living", "radiohead" or "" for bursts only.
    bursts : bool
        Also print every burst: start, pulse and gap widths in µs, bits.
    snr_db : float
        How far above the noise floor a pulse must rise.
    min_pulse : float
        Shortest pulse or gap in seconds; shorter ones are glitches.
    output : str
        Where the JSON lines go ("-" = standard output, or a file).
    gain : float
        Tuner gain in dB for a radio; negative = automatic.
    """
    chain, _ = source_chain(source, frequency=frequency, rate=rate,
                            gain=None if gain < 0 else gain,
                            seconds=seconds if seconds > 0 else None, pace=source.startswith("sim"))
    fg = Flowgraph()
    demod = OOKDemod(snr_db=snr_db, bit_rate=bit_rate, min_pulse=min_pulse)
    fg.connect(*chain, demod, NullSink())
    lines = MessageSink(jsonl=output, keep=False)
    if bursts:
        shown = Bursts()
        fg.connect((demod, "bursts"), (shown, "in"))
        fg.connect((shown, "out"), (lines, "in"))
    if decoder:
        radiohead = RadioHeadDecoder(decoder)
        fg.connect((demod, "bursts"), (radiohead, "in"))
        fg.connect((radiohead, "out"), (lines, "in"))
    return fg


class Bursts(Block):
    """A burst as rtl_433 -A would show it: start in s, pulse and gap widths in whole µs, and
    the bits as a string."""

    message_inputs = ("in",)
    message_outputs = ("out",)

    def handle_message(self, port, burst):
        shown = {"burst": round(burst["start"], 6),
                 "pulses_us": [round(w * 1e6) for w in burst["pulses"]],
                 "gaps_us": [round(w * 1e6) for w in burst["gaps"]]}
        if "bits" in burst:
            shown["bits"] = "".join(map(str, burst["bits"]))
        self.post("out", shown)


def main(argv=None) -> int:
    from sdrflow.cli import run_flowgraph

    return run_flowgraph(build, argv)


if __name__ == "__main__":
    sys.exit(main())
