"""Ready receive chains by modulation, as rtl_fm offers them: one station at ``offset`` Hz from
the centre of a complex stream at ``rate`` Hz, to audio at ``audio_rate`` Hz.

    channel: FreqXlatingFilter(offset, ↓D) to ~240 kHz (wbfm) or ~48 kHz (the rest)
    → [PowerSquelch] → demodulator → [Resampler to audio_rate]

``add_receiver(fg, source, ...)`` connects the chain after ``source`` (a block or (block, port))
and returns the audio outputs, one (block, port) per channel, plus the channel filter (whose
``frequency`` retunes the receiver inside the band by message).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

MODES = ("wbfm", "fm", "am", "usb", "lsb", "raw")
#: Channel sample rate and bandwidth (Hz) per modulation.
CHANNEL = {"wbfm": (240e3, 200e3), "fm": (48e3, 12.5e3), "am": (48e3, 10e3),
           "usb": (48e3, 6e3), "lsb": (48e3, 6e3), "raw": (48e3, 40e3)}


@dataclass
class Receiver:
    """What ``add_receiver`` built: audio outputs, the channel filter, the audio rate."""

    audio: list
    channel: object
    audio_rate: float
    squelch: object = None
    narrow: object = None  # the block whose output is the final channel
    multiplex: object = None  # wbfm: the FM demodulator, whose output is the multiplex
    multiplex_rate: float = 0.0


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown modulation {mode!r}; one of {', '.join(MODES)} "
                         f"(wbfm broadcast FM, fm narrowband FM, am, usb, lsb, raw I/Q)")
    return mode


def channel_decimation(rate: float, mode: str) -> int:
    """Whole decimation from ``rate`` to at least the mode's channel rate."""
    target, _ = CHANNEL[mode]
    d = int(rate // target)
    if d < 1:
        raise ValueError(f"{mode} needs a sample rate of at least {target / 1e3:g} kHz, got {rate:g}")
    return d


def add_receiver(fg, source, rate: float, mode: str = "wbfm", offset: float = 0.0,
                 audio_rate: float = 48e3, stereo: bool = False, squelch_db: float | None = None,
                 tau: float | None = 75e-6, bandwidth: float | None = None) -> Receiver:
    """Connect a receiver for ``mode`` after ``source`` in ``fg``; see the module's docstring."""
    from sdrflow import blocks as b

    check_mode(mode)
    if stereo and mode != "wbfm":
        raise ValueError("stereo is for broadcast FM (-M wbfm)")
    if abs(offset) >= rate / 2:
        raise ValueError(f"the station ({offset:+g} Hz from the centre) is outside the "
                         f"{rate:g} Hz band")
    d = channel_decimation(rate, mode)
    rc = rate / d
    _, width = CHANNEL[mode]
    width = float(bandwidth or width)
    if not 0 < width < rc:
        raise ValueError(f"bandwidth must be within (0, {rc:g}) Hz for {mode}, got {width:g}")
    # A narrow channel far below the input rate is cut in two steps, each filter short: first
    # to about 240 kHz with a wide transition, then to the channel rate.
    first = d // 5 if mode != "wbfm" and d >= 10 and d % 5 == 0 else 1
    if first > 1:
        r1 = rate / first
        channel = b.FreqXlatingFilter(offset, cutoff=width / 2, transition=r1 - width,
                                      decimation=first)
        second = b.LowpassFilter(width / 2, transition=min(width / 4, rc - width), decimation=5)
        fg.connect(source, channel, second)
        head = second
    else:
        # What folds back on decimation must land outside the channel: stop ≤ rc − width/2.
        channel = b.FreqXlatingFilter(offset, cutoff=width / 2, transition=min(width / 4, rc - width),
                                      decimation=d)
        fg.connect(source, channel)
        head = channel
    squelch, narrow = None, head
    if squelch_db is not None and mode != "fm":
        squelch = b.PowerSquelch(squelch_db)
        fg.connect(head, squelch)
        head = squelch
    if mode == "wbfm":
        demod = b.FMDemod(75e3)
        fg.connect(head, demod)
        audio_decimation = max(1, int(rc // 48e3))
        if stereo:
            decoder = b.StereoDecoder()
            fg.connect(demod, decoder)
            sides = [(decoder, "left"), (decoder, "right")]
        else:
            sides = [demod]
        outs = []
        for side in sides:
            chain = ([b.Deemphasis(tau)] if tau else []) + \
                [b.LowpassFilter(15e3, transition=4e3, decimation=audio_decimation)]
            fg.connect(side, *chain)
            outs.append(chain[-1])
        at = rc / audio_decimation
    elif mode == "fm":
        rx = b.NBFMReceiver(deviation=5e3 if width >= 12e3 else 2.5e3, channel_width=width,
                            squelch_db=squelch_db, tau=tau)
        fg.connect(head, rx)
        outs, at = [rx], rc
    elif mode == "am":
        rx = b.AMDemod(audio_cutoff=min(width / 2, 5e3))
        fg.connect(head, rx)
        outs, at = [rx], rc
    elif mode in ("usb", "lsb"):
        rx = b.SSBDemod(mode, low=300.0, high=min(width / 2, 3000.0))
        fg.connect(head, rx)
        outs, at = [rx], rc
    else:  # raw: the channel's I and Q as two audio channels
        split = b.ComplexToFloat()
        fg.connect(head, split)
        outs, at = [(split, 0), (split, 1)], rc
    if abs(at - audio_rate) > 1e-6:
        ratio = Fraction(audio_rate / at).limit_denominator(1000)
        if abs(float(ratio) * at - audio_rate) > 1e-3:
            raise ValueError(f"cannot resample {at:g} Hz to {audio_rate:g} Hz with a small ratio; "
                             f"pick a sample rate that is a multiple of {audio_rate:g} Hz")
        resampled = []
        for out in outs:
            r = b.Resampler(audio_rate)
            fg.connect(out, r)
            resampled.append(r)
        outs = resampled
    return Receiver([o if isinstance(o, tuple) else (o, 0) for o in outs], channel, audio_rate,
                    squelch, narrow, demod if mode == "wbfm" else None, rc)


def add_rds(fg, receiver: Receiver, rbds: bool = False):
    """RDS on a WBFM receiver's multiplex (``RDSDemod`` → ``RDSDecoder``); returns the decoder,
    whose ``out`` port gives a message per group."""
    from sdrflow import blocks as b

    decoder = b.RDSDecoder(rbds=rbds)
    demod = b.RDSDemod(decimation=max(1, int(receiver.multiplex_rate // 10e3)))  # to ~10 kHz
    fg.connect(receiver.multiplex, demod, decoder)
    return decoder


def station_source(source: str, frequency: float, rate: float, gain: float | None,
                   seconds: float | None, pace: bool = False):
    """``source`` tuned a quarter of the rate above the station at ``frequency`` (the dongle's
    DC spike stays out of the channel; a simulated source puts its station at ``frequency``).
    Returns (the source's chain, the opened source, the station's offset from its centre)."""
    from .sources import parse, source_chain, with_option

    tuned = frequency + rate / 4
    if parse(source).kind == "sim":
        source = with_option(source, "offset", f"{-rate / 4:.0f}")
    chain, opened = source_chain(source, frequency=tuned, rate=rate, gain=gain, seconds=seconds,
                                 pace=pace)
    return chain, opened, frequency - opened.frequency if opened.frequency else 0.0


def receiver_graph(mode: str, source: str, frequency: float, output: str, seconds: float | None,
                   squelch_db: float | None = None, bandwidth: float | None = None,
                   gain: float | None = None, rate: float = 2.4e6, tau: float | None = None):
    """The recipes' whole graph: ``source`` tuned a quarter of the rate above ``frequency``
    (a simulated source puts its station at ``frequency``), a receiver for ``mode``, and a
    48 kHz WAV file. Returns the Flowgraph."""
    from sdrflow import Flowgraph
    from sdrflow.blocks import WAVSink

    chain, opened, offset = station_source(source, frequency, rate, gain, seconds)
    fg = Flowgraph(chunk=16384)
    if len(chain) > 1:
        fg.connect(*chain)
    rx = add_receiver(fg, chain[-1], opened.rate, mode, offset=offset, bandwidth=bandwidth,
                      squelch_db=squelch_db, tau=tau)
    fg.connect(rx.audio[0], WAVSink(output))
    return fg
