"""``sdrflow listen``: rtl_fm's job — tune, demodulate, and play or write the audio.

    sdrflow listen -f 98.5M -M wbfm --stereo                 # dongle → sound card
    sdrflow listen -f 98.5M -M wbfm -o - | aplay -r 48000 -f S16_LE -t raw
    sdrflow listen -f 7.2M -M am -E direct -E dc - | aplay -r 48000 -f S16_LE -t raw   # HF
    sdrflow listen -f 446.00625M -M fm -l -40 -o pmr.wav --seconds 60
    sdrflow listen --source sim -f 98.5M -o fm.wav --seconds 5   # no dongle needed
    sdrflow listen -f 98.5M --rbds -o -  | aplay …               # and its RBDS name and text

The dongle is tuned a quarter of the sample rate above the station, as rtl_fm does, so its DC
spike stays out of the channel; the channel is cut out by a frequency-translating filter.
Status lines go to stderr, so ``-o -`` keeps stdout for the audio.
"""
from __future__ import annotations

import argparse
import os
import stat
import sys

from .core import USAGE, add_output, is_stream, output_of, refused_code, run_graph, si

DEFAULT_RATE = 2.4e6
#: rtl_fm's -E options that listen takes, and its own "none".
ENABLE = ("deemp", "none", "dc", "direct", "offset", "edge")


def parser() -> argparse.ArgumentParser:
    from ..receivers import MODES

    ap = argparse.ArgumentParser(prog="sdrflow listen", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("-f", "--frequency", action="append", required=True,
                    help="station frequency (98.5M); several -f, or START:STOP:STEP, scan them "
                         "with the squelch (-l) as rtl_fm does")
    ap.add_argument("-M", "--mode", default="wbfm", choices=MODES, help="modulation (wbfm)")
    ap.add_argument("--stereo", action="store_true", help="stereo broadcast FM (wbfm)")
    ap.add_argument("--rds", action="store_true",
                    help="decode RDS (wbfm): the station's name, radiotext, programme type and "
                         "clock, on stderr as they change")
    ap.add_argument("--rbds", action="store_true",
                    help="RDS as North America sends it (RBDS): its programme types, and call "
                         "letters from the PI code")
    ap.add_argument("--rds-json", metavar="FILE", default=None,
                    help="also write every RDS group as a JSON line, as redsea does (implies "
                         "--rds; '-' is stdout when the audio is not)")
    ap.add_argument("-s", "--rate", type=si, default=DEFAULT_RATE,
                    help="the dongle's sample rate (2.4M); below its rates, rtl_fm's -s: the "
                         "channel's rate, so its width (-s 200k, -s 12k)")
    ap.add_argument("-g", "--gain", type=si, default=None, help="tuner gain in dB (automatic)")
    ap.add_argument("-p", "--ppm", type=int, default=0, help="crystal correction in ppm")
    ap.add_argument("-d", "--device", default=None,
                    help="the dongle, by index or serial (as --source rtl:D)")
    ap.add_argument("-T", "--bias-tee", action="store_true",
                    help="power the antenna through the dongle's bias tee (as --source rtl?bias=1)")
    ap.add_argument("-l", "--squelch", type=float, default=None,
                    help="squelch level in dBFS of channel power, e.g. -40 (off; 0 is off, "
                         "as in rtl_fm)")
    ap.add_argument("-r", "--audio-rate", type=si, default=None,
                    help="audio rate (48k; rtl_fm's -s channel rate when -s gives one)")
    ap.add_argument("-E", dest="enable", action="append", default=[], choices=ENABLE,
                    help="rtl_fm's options, one -E each: deemp (de-emphasis: on for wbfm, off "
                         "for fm unless asked), none (no de-emphasis, even for wbfm), dc (block "
                         "DC on the audio), direct (direct sampling of the I branch, for HF), "
                         "offset (the E4000's offset tuning)")
    ap.add_argument("--tau", type=float, default=75e-6, help="de-emphasis time constant (75e-6; 50e-6 in Europe)")
    ap.add_argument("--source", default="rtl", help="sim, rtl, rtl:SERIAL, rtl_tcp:HOST:PORT, FILE … (rtl)")
    add_output(ap, "'-' raw S16LE to stdout, FILE.wav, FILE.raw, or a pipe or device "
                   "(/dev/null) as raw; the sound card when absent")
    ap.add_argument("--seconds", type=si, default=None, help="stop after this much input")
    ap.add_argument("--stats", action="store_true", help="print counters at the end (stderr)")
    return ap


def frequencies(values) -> list:
    """Expand ``-f`` values: numbers with SI suffixes, or START:STOP:STEP ranges (inclusive)."""
    out = []
    for value in values if isinstance(values, (list, tuple)) else [values]:
        if isinstance(value, str) and value.count(":") == 2:
            start, stop, step = (si(v) for v in value.split(":"))
            if not (step > 0 and stop >= start):
                raise ValueError(f"-f {value}: a range is START:STOP:STEP with STOP ≥ START, STEP > 0")
            count = int(round((stop - start) / step)) + 1
            if count > 10000:
                raise ValueError(f"-f {value}: {count} channels; at most 10000")
            out += [start + i * step for i in range(count)]
        else:
            out.append(si(value))
    return out


def build(frequency, mode="wbfm", stereo=False, rate=DEFAULT_RATE, gain=None, ppm=0,
          squelch=None, audio_rate=None, emphasis=None, tau=75e-6, source="rtl", output=None,
          seconds=None, audio_backend=None, chunk=16384, rds=None, device=None,
          bias_tee=False, rds_json=None, dc_block=False, direct=False, offset_tuning=False):
    """The listening flowgraph; returns (flowgraph, a status line). Everything is checked
    before anything opens a device, a socket or a file. ``rds``: "rds" or "rbds" adds the
    RDS decoder, its findings on stderr; ``rds_json`` a file (or "-") for every group too.
    ``device``, ``ppm`` and ``bias_tee`` are rtl_fm's -d, -p and -T, ``direct`` and
    ``offset_tuning`` its -E direct and -E offset, for a dongle (-d on this host, the rest
    here or behind rtl_tcp); ``dc_block`` its -E dc."""
    from sdrflow import Flowgraph
    from sdrflow import blocks as b

    from ..receivers import CHANNEL, add_rds, add_receiver, check_mode
    from ..sources import on_dongle, open_source, parse, with_option
    from sdrflow.blocks._rtl import check_rtl_rate, check_tuner_range

    check_mode(mode)
    channels = frequencies(frequency)
    if rds_json is not None:
        rds = rds or "rds"
        if rds_json == "-" and output == "-":
            raise ValueError("--rds-json - and -o - both want stdout: give one of them a file")
    if rds and (mode != "wbfm" or len(channels) > 1):
        raise ValueError("--rds, --rbds and --rds-json are for one broadcast FM station "
                         "(-M wbfm, one -f)")
    for f in channels:
        if not f > 0:
            raise ValueError(f"-f {f:g}: a station's frequency is a positive number of Hz "
                             f"(98.5M, 446.00625M)")
    source = on_dongle(source, "-p, -T, -E direct and -E offset", device, ppm=ppm,
                       bias=bias_tee and 1, direct=direct and "i", offset=offset_tuning and 1)
    spec = parse(source)
    live = spec.kind in ("rtl", "rtl_tcp", "sim")
    bandwidth = None
    if live:
        if rate < 225e3:  # no dongle rate: rtl_fm's -s 200k or -s 12k, the rate of its channel
            limit = CHANNEL[mode][0]
            if not rate < limit:
                raise ValueError(f"-s {rate:g}: below a dongle's rates (225001–300000, "
                                 f"900001–3200000), so taken as rtl_fm's channel rate, but a "
                                 f"{mode} channel here is narrower than {limit:g} Hz; give less, "
                                 f"or a dongle's rate")
            bandwidth, rate = rate, DEFAULT_RATE  # a channel as wide, the dongle at its default
        check_rtl_rate(rate, "listen")
        if spec.kind != "sim":
            for f in channels:
                check_tuner_range(f, spec.options.get("direct"), "listen")
    if audio_rate is None:  # rtl_fm writes audio at its channel rate unless -r says otherwise
        audio_rate = bandwidth or 48e3
    if seconds is not None and not seconds > 0:
        raise ValueError(f"--seconds must be > 0, got {seconds:g}")
    if squelch is not None and squelch >= 0:  # rtl_fm's scale, not dBFS: 0 is its "off"
        if squelch > 0:
            raise ValueError(f"-l {squelch:g}: here the squelch is the channel's power in dBFS, "
                             f"below 0 (-l -40 opens on a station at -40 dBFS or more); rtl_fm's "
                             f"-l {squelch:g} is on its own scale, which has no fixed dBFS")
        squelch = None
    scanning = len(channels) > 1
    if scanning and squelch is None:
        raise ValueError("scanning several frequencies needs a squelch level (-l, e.g. -l -50)")
    low, high = min(channels), max(channels)
    middle = (low + high) / 2
    wide = high - low > 0.8 * rate  # more than one band: the dongle retunes as the scan goes
    frequency = channels[0]
    # Tune a quarter of the rate above the station (rtl_fm's trick against the DC spike),
    # or above the middle of the scanned channels when that still holds them all.
    shift = rate / 4 if live and (high - middle) + rate / 4 < 0.45 * rate else 0.0
    tuned = (middle if scanning else frequency) + shift
    tunings = _tunings(channels, rate) if wide else None
    if wide:
        tuned = tunings[0]
    named = source
    if spec.kind == "sim" and not scanning:
        if rds and spec.target == "fm":
            source = with_option(source, "rds", 1)  # the station sends RDS too
        # Its station at the frequency asked while the 'dongle' is tuned above it.
        source = with_option(source, "offset", f"{-shift:.0f}")
    opened = open_source(source, frequency=tuned if live else None, rate=rate,
                         gain=gain, seconds=seconds if spec.kind == "sim" else None)
    centre = opened.frequency
    if wide and "ctrl" not in opened.block.message_inputs:
        raise ValueError(f"the channels span {(high - low) / 1e6:g} MHz, more than the "
                         f"{0.8 * rate / 1e6:g} MHz this sample rate covers, and {named} cannot "
                         f"be retuned; raise -s or scan less")
    if wide:
        offsets = [f - t for f, t in zip(channels, tunings)]
    elif live:
        offsets = [f - tuned for f in channels]
    else:
        offsets = [f - centre if centre else 0.0 for f in channels]
    offset = offsets[0]
    if tau and emphasis != "none" and (mode == "wbfm" or emphasis == "deemp"):
        deemph = tau
    else:
        deemph = None
    fg = Flowgraph(chunk=chunk)
    head = opened.block
    if seconds is not None and spec.kind != "sim":
        limit = b.Head(int(round(seconds * opened.rate)))
        fg.connect(head, limit)
        head = limit
    try:
        rx = add_receiver(fg, head, opened.rate, mode, offset=offset, audio_rate=audio_rate,
                          stereo=stereo, squelch_db=squelch, tau=deemph, bandwidth=bandwidth)
    except ValueError as e:  # a station beyond the band: say where the band came from
        raise ValueError(f"{e}; the {opened.named}" if opened.named else str(e)) from e
    audio = rx.audio
    if dc_block:  # rtl_fm's -E dc: on the demodulated audio
        blockers = [b.DCBlocker() for _ in audio]
        for end, dc in zip(audio, blockers):
            fg.connect(end, dc)
        audio = [(dc, 0) for dc in blockers]
    outputs = len(audio)
    if output is None:
        sink = b.AudioSink(channels=outputs, latency=0.05, backend=audio_backend)
        where = "the sound card"
    elif is_stream(output) or output.lower().endswith((".raw", ".s16", ".pcm")):
        sink = b.PCMSink(output, channels=outputs)
        where = "stdout (S16LE)" if output == "-" else output
    elif output.lower().endswith(".wav"):
        sink = b.WAVSink(output, channels=outputs)
        where = output
    else:
        raise ValueError(f"-o takes '-', FILE.wav, FILE.raw or a pipe, got {output!r}")
    ports = ["in"] if outputs == 1 else ["left", "right"]
    for (blk, port), name in zip(audio, ports):
        fg.connect((blk, port), (sink, name))
    scanner = None
    if scanning:
        from sdrflow.blocks import ChannelScanner

        scanner = ChannelScanner(offsets, squelch, centre=tuned if live else centre,
                                 tunings=tunings, retune_settle=getattr(
                                     opened.block, "retune_settle", 0.01))
        fg.connect(rx.narrow, scanner)
        fg.connect((scanner, "ctrl"), (rx.channel, "ctrl"))
        if wide:
            fg.connect((scanner, "tune"), (opened.block, "ctrl"))
    if rds:
        decoder = add_rds(fg, rx, rbds=rds == "rbds")
        fg.connect((decoder, "out"), (_rds_lines(), "in"))
        if rds_json is not None:
            fg.connect((decoder, "out"), (b.MessageSink(jsonl=rds_json, keep=False), "in"))
    what = (f"Scanning {len(channels)} channels {low / 1e6:.6g}–{high / 1e6:.6g} MHz"
            + (f" in {len(set(tunings))} tunings" if wide else "")
            if scanning else f"Tuned to {frequency / 1e6:.6g} MHz")
    channel = f", a {bandwidth / 1e3:g} kHz channel" if bandwidth else ""
    status = (f"{what} ({mode}{', stereo' if stereo else ''}{channel}) on "
              f"{named}; sampling at {opened.rate:.6g} S/s; output at {audio_rate:g} Hz, "
              f"{outputs} channel{'s' if outputs > 1 else ''}, to {where}.")
    fg.listen_parts = {"source": opened.block, "channel": rx.channel, "sink": sink,
                       "scanner": scanner}
    return fg, status


def _tunings(channels, rate) -> list:
    """Where the dongle is tuned for each channel of a scan wider than one band: channels
    taken in frequency order, up to 0.3 of the rate at a time, each such group heard with the
    dongle a quarter of the rate above its middle (as a single station is)."""
    where, group = {}, []
    for f in sorted(set(channels)) + [None]:
        if group and (f is None or f - group[0] >= 0.3 * rate):
            for g in group:
                where[g] = (group[0] + group[-1]) / 2 + rate / 4
            group = []
        if f is not None:
            group.append(f)
    return [where[f] for f in channels]


def _rds_lines():
    """A block that writes what RDS says on stderr, a line each time something changes."""
    from sdrflow import Block
    from sdrflow.blocks._rds import alternative_frequencies, playing

    class RDSLines(Block):
        message_inputs = ("in",)

        def start(self, rate):
            self._said = {}

        def handle_message(self, port, fields):
            station = [fields["pi"]] + [fields[k] for k in ("callsign", "prog_type") if k in fields]
            news = [("station", "PI " + ", ".join(station))]
            news += [(k, f"{k} {fields[k]!r}") for k in ("ps", "radiotext") if k in fields]
            if "clock_time" in fields:
                news.append(("clock_time", f"clock {fields['clock_time']}"))
            af = alternative_frequencies(fields)
            if af:
                news.append(("af", "alternative frequencies " + ", ".join(
                    f"{f / 1000:g} MHz" if f >= 87600 else f"{f} kHz" for f in af)))
            song = playing(fields)
            if song:
                news.append(("playing", f"playing {song!r}"))
            if "language" in fields:
                news.append(("language", f"language {fields['language']}"))
            other = fields.get("other_network", {})
            if "ps" in other:
                news.append((other["pi"], f"other network {other['pi']} {other['ps']!r}"))
            for key, text in news:
                if self._said.get(key) != text:
                    self._said[key] = text
                    sys.stderr.write(f"RDS: {text}\n")
                    sys.stderr.flush()

    return RDSLines()


def _piped(stream) -> bool:
    """Whether ``stream`` is a pipe (``| aplay``), not a terminal or a file."""
    try:
        return stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):  # closed, or no file behind it (pytest)
        return False


def main_listen(argv) -> int:
    from ..errors import GraphError

    ap = parser()
    args = ap.parse_args(argv)
    audio_out = output_of(ap, args)
    try:
        enable = set(args.enable)
        if "edge" in enable:
            raise ValueError("-E edge: there rtl_fm's -f names the channel's lower edge; here "
                             "-f names its middle: give that (the lower edge plus half the "
                             "channel's width) without -E edge")
        if {"deemp", "none"} <= enable:
            raise ValueError("-E deemp and -E none contradict each other: give one")
        emphasis = "deemp" if "deemp" in enable else ("none" if "none" in enable else None)
        fg, status = build(args.frequency, args.mode, args.stereo, args.rate, args.gain, args.ppm,
                           args.squelch, args.audio_rate, emphasis, args.tau, args.source,
                           audio_out, args.seconds,
                           rds="rbds" if args.rbds else ("rds" if args.rds else None),
                           device=args.device, bias_tee=args.bias_tee, rds_json=args.rds_json,
                           dc_block="dc" in enable, direct="direct" in enable,
                           offset_tuning="offset" in enable)
    except (ValueError, GraphError) as e:
        sys.stderr.write(f"error: {e}\n")
        return USAGE
    if audio_out is None and args.rds_json != "-" and _piped(sys.stdout):  # rtl_fm would pipe
        sys.stderr.write("note: the audio goes to the sound card, not down the pipe; give - "
                         "last (or -o -) to send it there\n")
    try:
        fg.start()
    except (ValueError, GraphError) as e:  # refused at start: no dongle, busy, no sound card …
        sys.stderr.write(f"error: {e}\n")
        return refused_code(e)
    sys.stderr.write(status + "\n")  # once it is true: the source opened, tuned
    return run_graph(fg, stats=args.stats)
