import numpy as np

from sdrflow.block import COMPLEX64, Port
from sdrflow.kernels.sim import fm_tones, rds_rotate, tone_steps

from ._sim import SimulatedAir


class FMStationSource(SimulatedAir):
    """A simulated broadcast FM station as an RTL-SDR would deliver it.

    Mono (or stereo) audio of known tones, pre-emphasised with ``tau``, scaled so the peak
    deviation is exactly ``deviation`` (stereo: at most); carrier at ``offset`` Hz from the tuned centre; white noise at
    ``cnr_db`` measured in ``noise_bandwidth`` around the carrier; 8-bit I/Q quantisation.
    Reproducible by ``seed`` and independent of how it is chunked. Tags ``rx_freq`` and
    ``rx_rate`` on the first sample.

    Signature: -> complex64

    Parameters
    ----------
    rate : float
        Sample rate in Hz (2.4e6, as an RTL-SDR).
    tones : sequence of float
        Audio tone frequencies in Hz.
    levels : sequence of float
        Relative tone amplitudes (before pre-emphasis).
    deviation : float
        Peak frequency deviation in Hz.
    offset : float
        Carrier offset from the tuned centre in Hz. A retune (``set_frequency``, or
        ``{"frequency": f}`` on ``ctrl``) moves it: the station keeps its own frequency, as on
        the air, and is gone while it lies beyond the band.
    cnr_db : float
        Carrier-to-noise ratio in dB, noise measured in ``noise_bandwidth``.
    noise_bandwidth : float
        Bandwidth in Hz in which ``cnr_db`` is defined (200 kHz, one FM channel).
    tau : float
        Pre-emphasis time constant in seconds (0 = none).
    seconds : float, optional
        Length of the stream; endless when None.
    quantize : bool
        Round to 8 bits like an RTL-SDR.
    frequency : float
        Tuned centre frequency in Hz, reported in the ``rx_freq`` tag.
    seed : int
        Seed of the noise generator.
    right_tones, right_levels : sequence of float, optional
        Make it a stereo station: ``tones``/``levels`` become the left channel, these the
        right; the multiplex carries a 19 kHz pilot (10 %) and L−R on 38 kHz (DSB-SC).
    rds : dict, optional
        Add RDS on 57 kHz: ``{"pi": 0x5DF0, "ps": "SDRFLOW", "radiotext": "…", "pty": 10,
        "tags": {"item.artist": "…", "item.title": "…"}, "af": [88100, 101300],
        "others": [(0x5301, "CLASSIC")], "deviation": 2000}``; give any of them, the others
        keep these defaults (the radiotext's is a line about the station, and its RadioText+
        tags name two parts of it, ``{}`` for none; ``af`` lists alternative frequencies in
        kHz, ``[]`` for none; ``others`` names other networks it announces in 14A groups,
        none by default). Text is in RDS's character set (accents, €; not ~ or –). The
        station sends its PS name and radiotext in turn, over and over: biphase chips,
        differentially coded, BPSK on the subcarrier, ``deviation`` Hz of the carrier's swing.

    Example: ``FMStationSource(rate=2.4e6, tones=(1000, 3000), cnr_db=30, seconds=2)``
    """

    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)
    cost = 400.0  # measured: ~90 ns a sample (the tones, the noise, the 8-bit grid)

    def __init__(self, rate: float = 2.4e6, tones=(1000.0, 3000.0), levels=(0.5, 0.3),
                 deviation: float = 75e3, offset: float = 0.0, cnr_db: float = 30.0,
                 noise_bandwidth: float = 200e3, tau: float = 75e-6, seconds: float | None = None,
                 quantize: bool = True, frequency: float = 98.5e6, seed: int = 0,
                 right_tones=None, right_levels=None, rds: dict | None = None):
        if not rate > 0:
            raise ValueError(f"FMStationSource: rate must be > 0 Hz, got {rate!r}")
        tones, levels = np.atleast_1d(np.asarray(tones, float)), np.atleast_1d(np.asarray(levels, float))
        if tones.size == 0 or tones.shape != levels.shape:
            raise ValueError("FMStationSource: give one level per tone (at least one tone)")
        if np.any(tones <= 0) or np.any(tones >= 20e3):
            raise ValueError("FMStationSource: tones must be audio frequencies in (0, 20000) Hz")
        if not 0 < deviation < rate / 2 or abs(offset) + deviation >= rate / 2:
            raise ValueError(f"FMStationSource: offset ± deviation must fit in ±rate/2 "
                             f"({rate / 2:g} Hz)")
        if not noise_bandwidth > 0 or noise_bandwidth > rate:
            raise ValueError("FMStationSource: noise_bandwidth must be in (0, rate] Hz")
        if seconds is not None and not seconds > 0:
            raise ValueError(f"FMStationSource: seconds must be > 0, got {seconds!r}")
        self.sample_rate, self.tones, self.levels = float(rate), tones, levels
        self.deviation, self.offset, self.cnr_db = float(deviation), float(offset), float(cnr_db)
        self.noise_bandwidth, self.tau, self.seconds = float(noise_bandwidth), float(tau), seconds
        self.quantize, self.frequency, self.seed = bool(quantize), float(frequency), seed
        self._station = self.frequency + self.offset  # where it is on the air
        self.right_tones = None if right_tones is None else np.atleast_1d(np.asarray(right_tones, float))
        self.right_levels = None if right_levels is None else np.atleast_1d(np.asarray(right_levels, float))
        if (self.right_tones is None) != (self.right_levels is None) or (
                self.right_tones is not None and self.right_tones.shape != self.right_levels.shape):
            raise ValueError("FMStationSource: give right_tones and right_levels together, one level per tone")
        if self.right_tones is None:
            freqs, amps, phases = self._emphasised(tones, levels)
            peak = self._peak(freqs, amps, phases)
        else:
            freqs, amps, phases = self._stereo_multiplex(tones, levels, self.right_tones, self.right_levels)
            peak = 1.0  # each channel is normalised to peak 1, so the multiplex stays within ±1
        self.audio_scale = 1.0 / peak
        self._freqs, self._amps, self._phases = freqs, amps / peak, phases
        self.amplitude = 0.5
        self.rds, self._rds = None, None
        if rds is not None:
            self.rds, self._rds = self._rds_chips(rds)  # the settings, and what is sent

    def _rds_chips(self, rds):
        from ._rds import encode_text, group_bits, rtplus_tags, station_groups

        settings = {"pi": 0x5DF0, "ps": "SDRFLOW", "pty": 10, "deviation": 2000.0,
                    "radiotext": "sdrflow's simulated station: a 1 kHz and a 3 kHz tone",
                    "tags": {"item.artist": "sdrflow", "item.title": "a 1 kHz and a 3 kHz tone"},
                    "af": [88100, 101300], "others": []}
        if "radiotext" in rds and "tags" not in rds:
            settings["tags"] = {}  # the default tags are parts of the default radiotext
        unknown = set(rds) - set(settings)
        if unknown:
            raise ValueError(f"FMStationSource: rds takes {sorted(settings)}, "
                             f"not {sorted(unknown)}")
        settings.update(rds)
        pi, pty, dev = settings["pi"], settings["pty"], float(settings["deviation"])
        if not (isinstance(pi, int) and 0 <= pi <= 0xFFFF
                and isinstance(pty, int) and 0 <= pty < 32):
            raise ValueError("FMStationSource: rds pi is 0–0xFFFF and pty 0–31 (whole numbers)")
        if not 0 < dev < 10e3:
            raise ValueError(f"FMStationSource: rds deviation must be in (0, 10000) Hz, "
                             f"got {dev!r}")
        try:
            encode_text(settings["ps"] + settings["radiotext"])
        except (ValueError, TypeError) as e:
            raise ValueError(f"FMStationSource: rds ps and radiotext: {e}") from e
        if not isinstance(settings["tags"], dict):
            raise ValueError(f"FMStationSource: rds tags are a dict like {{'item.title': "
                             f"'part of the radiotext'}}, got {settings['tags']!r}")
        try:
            tags = rtplus_tags(settings["radiotext"], settings["tags"])
        except ValueError as e:
            raise ValueError(f"FMStationSource: rds tags: {e}") from e
        if not isinstance(settings["af"], (list, tuple)):
            raise ValueError(f"FMStationSource: rds af is a list of frequencies in kHz like "
                             f"[88100, 101300], got {settings['af']!r}")
        if not isinstance(settings["others"], (list, tuple)) or not all(
                isinstance(o, (list, tuple)) and len(o) == 2 for o in settings["others"]):
            raise ValueError(f"FMStationSource: rds others is a list of (PI, PS name) of other "
                             f"networks, like [(0x5301, 'CLASSIC')], got {settings['others']!r}")
        try:
            groups = station_groups(pi, settings["ps"], settings["radiotext"], pty, tags,
                                    settings["af"], stereo=self.right_tones is not None,
                                    others=settings["others"])
        except (ValueError, TypeError, AttributeError) as e:
            raise ValueError(f"FMStationSource: rds af or others: {e}") from e
        bits = np.concatenate([group_bits(g) for g in groups] * 2)  # two cycles: see below
        # Differential coding; over two cycles the sequence repeats whatever the parity.
        sent = np.bitwise_xor.accumulate(bits).astype(np.int8)
        chips = np.empty(2 * len(sent), np.int8)
        chips[0::2] = 2 * sent - 1
        chips[1::2] = 1 - 2 * sent
        return settings, (chips, dev)

    def _emphasised(self, tones, levels):
        """Tones as (freqs, amps, phases) of sines after pre-emphasis H(f) = 1 + j2πfτ."""
        h = 1 + 2j * np.pi * tones * self.tau
        return tones.copy(), levels * np.abs(h), np.angle(h)

    @staticmethod
    def _peak(freqs, amps, phases):
        """True peak of the tone sum over its period (1 / the tones' greatest common divisor for
        whole-Hz tones, else one second), sampled 100 times per cycle of the highest tone."""
        whole = np.all(freqs == np.round(freqs))
        period = 1.0 / np.gcd.reduce(freqs.astype(np.int64)) if whole else 1.0
        t = np.arange(int(100 * freqs.max() * period)) / (100 * freqs.max())
        return np.max(np.abs(np.sum(amps[:, None] * np.sin(2 * np.pi * freqs[:, None] * t
                                                          + phases[:, None]), axis=0)))

    def _stereo_multiplex(self, lt, ll, rt, rl):
        """Broadcast stereo multiplex as sines: 0.9·[(L+R)/2 + (L−R)/2·cos(2·ωp·t)] +
        0.1·cos(ωp·t), pilot ωp = 19 kHz, each channel pre-emphasised and scaled to peak 1."""
        chans = []
        for t, l in ((lt, ll), (rt, rl)):
            f, a, p = self._emphasised(t, l)
            chans.append((f, a / self._peak(f, a, p), p))
        comps = []
        for sign, (f, a, p) in zip((1, -1), chans):
            for fi, ai, pi in zip(f, a, p):
                comps.append((fi, 0.9 * ai / 2, pi))  # sum (L+R)/2
                d = sign * 0.9 * ai / 2                 # difference (L−R)/2 on 38 kHz:
                comps.append((38e3 + fi, d / 2, pi))    # a·sin(ωt+φ)·cos(Ωt) = a/2·[sin((Ω+ω)t+φ)
                comps.append((38e3 - fi, -d / 2, pi))   # − sin((Ω−ω)t − φ)]
        comps.append((19e3, 0.1, np.pi / 2))            # pilot: 0.1·cos(ωp·t)
        f, a, p = (np.array(c, float) for c in zip(*comps))
        # sin((Ω−ω)t − φ) has phase −φ
        n = len(lt) + len(rt)
        for k in range(n):
            p[3 * k + 2] = -p[3 * k + 2]
        return f, a, p

    def output_rate(self, rate):
        return self.sample_rate

    def set_frequency(self, frequency: float) -> None:
        """Retune the 'receiver': the station stays where it is on the air."""
        super().set_frequency(frequency)
        self.offset = self._station - self.frequency

    def start(self, rate):
        self._steps = tone_steps(self.sample_rate, self._freqs)
        # Noise power per complex sample so that C/N = cnr_db within noise_bandwidth.
        cn = 10 ** (self.cnr_db / 10)
        self.start_air(self.amplitude * np.sqrt(self.sample_rate / (self.noise_bandwidth * cn) / 2))

    def on_air(self, start: int, out) -> bool:
        """Write the station's noiseless signal for samples ``start``… of the stream into
        ``out``; False (``out`` untouched) while it lies beyond the band. For ``FMBandSource``,
        which adds several stations; call ``start`` first."""
        if abs(self.offset) + self.deviation >= self.sample_rate / 2:
            return False
        fm_tones(start, self.sample_rate, self._freqs, self._amps, self._phases,
                 self._steps, self.deviation, self.offset, np.float32(self.amplitude), out)
        if self._rds is not None:
            chips, dev = self._rds
            rds_rotate(start, self.sample_rate, chips, dev, 0.3, out)
        return True

    def work(self, n):
        n = self.samples(n)
        if not n:
            return None
        out = self.buffer(n, np.complex64)
        if not self.on_air(self._n, out):  # tuned away: noise alone
            out[:] = 0
        return self.deliver(out)
