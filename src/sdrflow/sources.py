"""One way to name a source, for every command and recipe.

    sim                              the simulated FM station, at the frequency asked
    sim:fm?cnr=30&stereo=1&rds=1     options: cnr (dB), stereo, rds (its name and radiotext
                                     on 57 kHz), seconds, seed
    sim:am | sim:nbfm | sim:usb | sim:lsb   one station of that kind at the frequency asked
    sim:band                         three stations (AM, NBFM, USB) at known offsets
    sim:fmband                       an FM band of seven stations, 88.3–107.4 MHz, six with RDS,
                                     each at its own frequency wherever the source is tuned
    sim:adsb                         1090 MHz Mode S traffic of two aircraft in flight (DF17), 2 Msps
    sim:ook?snr=26&interval=1        a 433 MHz Sensible Living sensor (RadioHead ASK, 1000 bit/s)
                                     sending its reading every second, 250 kHz
    sim:band?at=100M                 the same stations fixed at 100 MHz −400k, +150k, +600k,
                                     wherever the source is tuned (for scanning)
    rtl | rtl:SERIAL | rtl:0?gain=30&ppm=1&bias=1&direct=q&offset=1&agc=1&buffer=0.5
                                     (a short number is a device index: rtl:1; 00000001 a serial)
    rtl?sim=1                        a simulated dongle (real rate, jitter, async reader) playing
                                     an FM station a quarter of the rate below its centre
                                     (at the centre below 400 kHz)
    rtl?sim=fmband                   a simulated dongle hearing sim:fmband's band where it is tuned
    rtl_tcp:HOST[:PORT][?gain=30&ppm=1&bias=1&direct=q&offset=1&agc=1]
    file:PATH?rate=2.4M&format=cu8&freq=98.5M&repeat=1
    PATH                             format from the extension: .cu8 .cs8 .cs16 .cf32 .wav .sigmf-meta
    zmq+tcp://HOST:PORT?rate=2.4M&pattern=sub|pull   a stream from another sdrflow or GNU Radio
                                     (&timeout=5: it ends after 5 s without a frame)

Numbers take SI suffixes everywhere (98.5M, 2.4M, 250k). ``open_source`` returns the source
block with the rate and centre frequency it runs at.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from .units import si

FORMS = __doc__.split("\n\n")[1]
FILE_FORMATS = ("cu8", "cs8", "cs16", "cf32")
SIM_KINDS = ("fm", "fmband", "am", "nbfm", "usb", "lsb", "band", "adsb", "ook")
#: What ``sim:ook`` sends: house 2, module 24621, sensor type 1, one sensor, no alarm, value
#: 1000, battery 2960 mV, as a real Sensible Living sensor sent in rtl_433's test capture.
SENSIBLE_LIVING = bytes([2, 0x60, 0x2D, 1, 1, 0, 0x03, 0xE8, 0x01, 0x28])
#: The stations of ``sim:band``: (offset Hz, modulation, level dBFS, tone Hz).
BAND = ((-400_000, "am", -30.0, 1000), (150_000, "nbfm", -40.0, 700), (600_000, "usb", -35.0, 1500))


_FLAGS = {"1": True, "true": True, "yes": True, "on": True, "": True,
          "0": False, "false": False, "no": False, "off": False}


class SourceError(ValueError):
    """A source name that cannot be understood; the message shows the accepted forms."""

    def __init__(self, message):
        super().__init__(f"{message}\naccepted sources:\n{FORMS}")


@dataclass
class SourceSpec:
    """A parsed source name: ``kind`` (sim, rtl, rtl_tcp, file, zmq), ``target`` and options."""

    kind: str
    target: str = ""
    options: dict = field(default_factory=dict)

    def number(self, key, default=None):
        value = self.options.get(key)
        if value is None:
            return default
        try:
            return si(value)
        except ValueError:
            raise SourceError(f"option {key}={value!r} is not a number") from None

    def flag(self, key, default=False):
        value = self.options.get(key)
        if value is None:
            return default
        if value.lower() not in _FLAGS:
            raise SourceError(f"option {key}={value!r} must be 1 or 0")
        return _FLAGS[value.lower()]


@dataclass
class OpenedSource:
    """A source block and what it runs at: ``rate`` in Hz, ``frequency`` (centre, Hz or None);
    ``named`` says what a recording's name gave (for errors that follow from it)."""

    block: object
    rate: float
    frequency: float | None
    spec: SourceSpec
    named: str = ""


_OPTIONS = {
    "sim": {"cnr", "stereo", "rds", "seconds", "seed", "offset", "noise", "at"},
    "rtl": {"gain", "ppm", "bias", "direct", "offset", "agc", "buffer", "rate", "freq", "sim"},
    "rtl_tcp": {"gain", "ppm", "bias", "direct", "offset", "agc", "rate", "freq", "timeout"},
    "file": {"rate", "format", "freq", "repeat"},
    "zmq": {"rate", "pattern", "tags", "timeout"},
}


def parse(uri: str) -> SourceSpec:
    """Parse a source name; a malformed one raises SourceError showing the accepted forms."""
    if not isinstance(uri, str) or not uri.strip():
        raise SourceError(f"empty source name {uri!r}")
    uri = uri.strip()
    base, _, query = uri.partition("?")
    try:
        options = dict(parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query)))
    except ValueError:
        raise SourceError(f"cannot read the options of {uri!r} (write key=value&key=value)") from None
    if base.startswith("zmq+tcp://") or base.startswith("zmq+ipc://"):
        spec = SourceSpec("zmq", base[len("zmq+"):], options)
    elif base == "sim" or base.startswith("sim:"):
        kind = base[4:] or "fm"
        if kind not in SIM_KINDS:
            raise SourceError(f"unknown simulation {kind!r} in {uri!r} (one of {', '.join(SIM_KINDS)})")
        spec = SourceSpec("sim", kind, options)
    elif base == "rtl" or base.startswith("rtl:"):
        spec = SourceSpec("rtl", base[4:] or "0", options)
    elif base.startswith("rtl_tcp:"):
        target = base[len("rtl_tcp:"):]
        if not re.fullmatch(r"[\w.\-]+(:\d{1,5})?|\[[0-9a-fA-F:]+\](:\d{1,5})?", target):
            raise SourceError(f"rtl_tcp needs HOST or HOST:PORT, got {uri!r}")
        spec = SourceSpec("rtl_tcp", target, options)
    elif base.startswith("file:"):
        if not base[5:]:
            raise SourceError(f"file: needs a path, got {uri!r}")
        spec = SourceSpec("file", base[5:], options)
    elif re.match(r"^[a-z][a-z0-9+_]*://", base) or re.fullmatch(r"[a-z_]+:?", base):
        raise SourceError(f"unknown source {uri!r}")
    else:
        spec = SourceSpec("file", base, options)
    unknown = set(spec.options) - _OPTIONS[spec.kind]
    if unknown:
        raise SourceError(f"unknown option(s) {', '.join(sorted(unknown))} for a {spec.kind} source "
                          f"(known: {', '.join(sorted(_OPTIONS[spec.kind]))})")
    return spec


def with_option(uri: str, key: str, value) -> str:
    """``uri`` with ``key=value`` among its options, unless it gives ``key`` already."""
    if key in parse(uri).options:
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}{key}={value}"


def on_dongle(uri: str, letters: str, device=None, **options) -> str:
    """``uri`` with the rtl tools' dongle letters applied: ``device`` (``-d``) and options
    such as ``bias=1`` (``-T``, named in ``letters``), those given in ``uri`` winning. A
    ValueError unless ``uri`` is a dongle: on this host for ``device`` (and the same one),
    on this host or behind rtl_tcp for the options."""
    options = {key: value for key, value in options.items() if value}
    if device is None and not options:
        return uri
    spec = parse(uri)
    if device is not None and spec.kind != "rtl":
        raise ValueError(f"-d is for a dongle on this host, which --source {uri} is not "
                         f"(give one or the other)")
    if device is not None and spec.target != "0":
        raise ValueError(f"-d {device} and --source {uri} both choose the dongle: give one")
    if spec.kind not in ("rtl", "rtl_tcp"):
        raise ValueError(f"{letters}: for a dongle, on this host or behind rtl_tcp, which "
                         f"--source {uri} is not (give one or the other)")
    if device is not None:
        uri = f"rtl:{device}" + uri[len(uri.partition("?")[0]):]
    for key, value in options.items():
        uri = with_option(uri, key, value)
    return uri


def file_format(path: str, given: str | None = None) -> str:
    """The sample format of a recording, from ``given`` or the file's extension."""
    if given:
        if given not in FILE_FORMATS:
            raise SourceError(f"format must be one of {', '.join(FILE_FORMATS)}, got {given!r}")
        return given
    lower = path.lower()
    for ext in (".sigmf-meta", ".sigmf-data", ".wav") + tuple("." + f for f in FILE_FORMATS):
        if lower.endswith(ext):
            return ext[1:]
    raise SourceError(f"cannot tell the format of {path!r} from its extension: name it .cu8, "
                      f".cs8, .cs16, .cf32, .wav or .sigmf-meta, or write "
                      f"file:{path}?format=cu8&rate=2.4M")


def open_source(uri: str, frequency: float | None = None, rate: float | None = None,
                gain: float | None = None, ppm: int | None = None,
                seconds: float | None = None) -> OpenedSource:
    """The source block ``uri`` names. ``frequency``, ``rate``, ``gain`` and ``ppm`` are the
    command's settings (options in the name win); ``seconds`` bounds a simulation."""
    from sdrflow import blocks

    spec = parse(uri)
    frequency = spec.number("freq", frequency)
    rate = spec.number("rate", rate)
    if spec.kind == "sim":
        rate = rate or 2.4e6
        frequency = 98.5e6 if frequency is None else frequency
        seconds = spec.number("seconds", seconds)
        seed = int(spec.number("seed", 0))
        if spec.target == "adsb":
            block = blocks.ModeSSource(seconds=seconds, seed=seed)
            return OpenedSource(block, block.RATE, frequency, spec)
        if spec.target == "ook":
            from sdrflow.blocks.radio_head_decoder import encode

            rate = spec.number("rate", 250e3)
            block = blocks.OOKSource(encode(SENSIBLE_LIVING), bit_rate=1000, rate=rate,
                                     interval=spec.number("interval", 1.0),
                                     snr_db=spec.number("snr", 26.0), seconds=seconds, seed=seed)
            return OpenedSource(block, rate, 433.92e6 if frequency is None else frequency, spec)
        if spec.target == "fmband":
            block = blocks.FMBandSource(rate=rate, frequency=frequency, seconds=seconds,
                                        seed=seed, noise_db=spec.number("noise", -55.0))
            return OpenedSource(block, rate, frequency, spec)
        if spec.target == "fm":
            stereo = spec.flag("stereo")
            station = dict(right_tones=(3000.0,), right_levels=(0.5,), tones=(1000.0,),
                           levels=(0.5,)) if stereo else {}
            block = blocks.FMStationSource(rate=rate, cnr_db=spec.number("cnr", 30.0),
                                           seconds=seconds, frequency=frequency, seed=seed,
                                           offset=spec.number("offset", 0.0),
                                           rds={} if spec.flag("rds") else None, **station)
        else:
            stations = BAND if spec.target == "band" else \
                ((int(spec.number("offset", 0)), spec.target, -20.0, 1000),)
            block = blocks.BandSource(rate=round(rate), stations=stations,
                                      noise_db=spec.number("noise", -60.0), seconds=seconds,
                                      frequency=frequency, seed=seed, at=spec.number("at"))
        return OpenedSource(block, rate, frequency, spec)
    if spec.kind in ("rtl", "rtl_tcp"):
        if frequency is None:
            raise SourceError(f"{uri}: a radio source needs a frequency (-f 98.5M or ?freq=98.5M)")
        rate = rate or 2.4e6
        gain = spec.number("gain", gain)
        ppm = int(spec.number("ppm", ppm or 0))
        if spec.kind == "rtl":
            # A short number is an index; anything else (00000001 included) a serial number.
            index = spec.target.isdigit() and len(spec.target) <= 3 and \
                (spec.target == "0" or not spec.target.startswith("0"))
            device = int(spec.target) if index else spec.target
            driver, sim = None, spec.options.get("sim")
            if sim == "fmband":
                from .testing import StandInDongle

                driver = StandInDongle(air=lambda r: blocks.FMBandSource(rate=r))
            elif sim is not None and sim.lower() not in _FLAGS:
                raise SourceError(f"{uri}: sim={sim!r} is 1 (a station in a loop) or fmband "
                                  f"(the simulated FM band)")
            elif spec.flag("sim"):
                from .testing import StandInDongle

                # A quarter of the rate below the centre where a broadcast station fits there
                # (±75 kHz deviation); at the centre at low rates (250 kHz for 433 MHz work).
                offset = -rate / 4 if rate / 4 + 100e3 <= rate / 2 else 0.0
                driver = StandInDongle(data=StandInDongle.fm_station(rate, 1.0, offset=offset))
            block = blocks.RtlSdrSource(frequency, rate=rate, gain=gain, correction_ppm=ppm,
                                        device=device, bias_tee=spec.flag("bias"),
                                        direct_sampling=spec.options.get("direct") or None,
                                        offset_tuning=spec.flag("offset"), rtl_agc=spec.flag("agc"),
                                        buffer_seconds=spec.number("buffer", 0.5), driver=driver)
        else:
            host, _, port = spec.target.rpartition(":") if re.search(r":\d+$", spec.target) \
                else (spec.target, "", "1234")
            block = blocks.RtlTcpSource(frequency, rate=rate, host=host.strip("[]"),
                                        port=int(port), gain=gain, correction_ppm=ppm,
                                        timeout=spec.number("timeout", 5.0),
                                        bias_tee=spec.flag("bias"),
                                        direct_sampling=spec.options.get("direct") or None,
                                        offset_tuning=spec.flag("offset"), rtl_agc=spec.flag("agc"))
        return OpenedSource(block, rate, frequency, spec)
    if spec.kind == "zmq":
        if rate is None:
            raise SourceError(f"{uri}: a ZeroMQ stream needs its rate (?rate=2.4M)")
        pattern = spec.options.get("pattern", "sub")
        cls = {"sub": blocks.ZMQSubSource, "pull": blocks.ZMQPullSource}.get(pattern)
        if cls is None:
            raise SourceError(f"{uri}: pattern must be sub or pull, got {pattern!r}")
        timeout = spec.number("timeout")
        if timeout is not None and not timeout > 0:
            raise SourceError(f"{uri}: timeout is the seconds without a frame that end the "
                              f"stream, > 0; got {timeout:g}")
        block = cls(spec.target, rate=rate, pass_tags=spec.flag("tags", True),
                    idle_timeout=timeout)
        return OpenedSource(block, rate, frequency, spec)
    # a recording
    path = spec.target
    fmt = file_format(path, spec.options.get("format"))
    if not os.path.exists(path) and not (fmt.startswith("sigmf") and os.path.exists(
            re.sub(r"\.sigmf(-data|-meta)?$", "", path) + ".sigmf-meta")):
        raise SourceError(f"no such file: {path}")
    if fmt.startswith("sigmf"):
        block = blocks.SigMFSource(path, repeat=spec.flag("repeat"))
        centre = block.captures[0][1] if block.captures and block.captures[0][1] else frequency
        return OpenedSource(block, block.sample_rate, centre, spec)
    named_frequency, named_rate = name_info(path)  # the recording's own: they beat the command's
    taken = []
    if named_frequency and "freq" not in spec.options:
        frequency = named_frequency
        taken.append(f"centre {named_frequency / 1e6:g} MHz")
    if named_rate and "rate" not in spec.options and fmt != "wav":
        rate = named_rate
        taken.append(f"rate {named_rate:g} S/s")
    named = f"{' and '.join(taken)} from the name {os.path.basename(path)} (as rtl_433 reads " \
            f"names; file:{path}?freq=…&rate=… overrides)" if taken else ""
    if fmt == "wav":
        block = blocks.WAVSource(path, iq=True, repeat=spec.flag("repeat"))
        return OpenedSource(block, block.sample_rate, frequency, spec, named)
    if rate is None:
        raise SourceError(f"{path}: a raw {fmt} recording does not say its sample rate; give it "
                          f"(-s 2.4M, or file:{path}?rate=2.4M)")
    block = blocks.FileSource(path, rate=rate, format=fmt, frequency=frequency,
                              repeat=spec.flag("repeat"))
    return OpenedSource(block, rate, frequency, spec, named)


_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9}


def name_info(path: str) -> tuple:
    """(centre frequency, sample rate) that a recording's name gives, None where it says
    nothing; by rtl_433's rules, which SDR#, SDR++ and HDSDR names also follow. A number
    starting a word counts by its unit, in any case: ``M``, ``Hz``, ``kHz``, ``MHz``, ``GHz``
    give the frequency, ``k``, ``sps``, ``ksps``, ``Msps`` the rate; the last one wins.

        sensibleliving_g002_433.92M_250k.cu8      433.92 MHz at 250 kS/s (rtl_433)
        SDRSharp_20160101_231914Z_145000000Hz_IQ.wav   145 MHz (SDR#; WAV gives the rate)
        HDSDR_20160101_231914Z_7100kHz_RF.wav     7.1 MHz"""
    frequency = rate = None
    for number, unit in re.findall(r"(?<![0-9A-Za-z])(\d+(?:\.\d+)?)([A-Za-z]*)",
                                   os.path.basename(path)):
        unit, value = unit.lower(), float(number)
        if unit == "m":
            frequency = value * 1e6
        elif unit == "k":
            rate = value * 1e3
        elif unit[-2:] == "hz" and unit[:-2] in _SCALE:
            frequency = value * _SCALE[unit[:-2]]
        elif unit[-3:] == "sps" and unit[:-3] in _SCALE:
            rate = value * _SCALE[unit[:-3]]
    return frequency, rate


def source_chain(uri: str, frequency: float | None = None, rate: float | None = None,
                 gain: float | None = None, ppm: int | None = None, seconds: float | None = None,
                 pace: bool = False):
    """The blocks a recipe puts in front of its chain: the source, a ``Head`` when ``seconds``
    bounds a recording or radio, and a ``Throttle`` when ``pace`` asks a recording or simulation
    to run in real time. Returns (list of blocks, OpenedSource)."""
    from sdrflow import blocks

    spec = parse(uri)
    if seconds is not None and seconds <= 0:
        seconds = None
    if spec.kind == "sim" and seconds is None and not pace:
        raise SourceError(f"{uri}: the simulation is endless; give a length (--seconds 5)")
    opened = open_source(uri, frequency=frequency, rate=rate, gain=gain, ppm=ppm,
                         seconds=seconds if spec.kind == "sim" else None)
    chain = [opened.block]
    if seconds is not None and spec.kind != "sim":
        chain.append(blocks.Head(int(round(seconds * opened.rate))))
    if pace and spec.kind in ("sim", "file"):
        chain.append(blocks.Throttle())
    return chain, opened
