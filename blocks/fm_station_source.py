import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.sim import fm_tones, quantize_u8


class FMStationSource(Block):
    """A simulated broadcast FM station as an RTL-SDR would deliver it.

    Mono audio of known tones, pre-emphasised with ``tau``, scaled so the peak deviation is
    exactly ``deviation``; carrier at ``offset`` Hz from the tuned centre; white noise at
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
        Carrier offset from the tuned centre in Hz.
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

    Example: ``FMStationSource(rate=2.4e6, tones=(1000, 3000), cnr_db=30, seconds=2)``
    """

    outputs = [Port("out", COMPLEX64)]
    cost = 20.0

    def __init__(self, rate: float = 2.4e6, tones=(1000.0, 3000.0), levels=(0.5, 0.3),
                 deviation: float = 75e3, offset: float = 0.0, cnr_db: float = 30.0,
                 noise_bandwidth: float = 200e3, tau: float = 75e-6, seconds: float | None = None,
                 quantize: bool = True, frequency: float = 98.5e6, seed: int = 0):
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
        # Pre-emphasis H(f) = 1 + j2πfτ applied to each tone, then normalised to peak 1.
        h = 1 + 2j * np.pi * tones * self.tau
        amps = levels * np.abs(h)
        self._phases = np.angle(h)
        # The true peak of the tone sum over one second (the period of any whole-Hz tones),
        # sampled 100 times per cycle of the highest tone.
        t = np.arange(int(100 * tones.max())) / (100 * tones.max())
        peak = np.max(np.abs(np.sum(amps[:, None] * np.sin(2 * np.pi * tones[:, None] * t
                                                           + self._phases[:, None]), axis=0)))
        self.audio_scale = 1.0 / peak
        self._amps = amps * self.audio_scale
        self.amplitude = 0.5

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        self._n = 0
        self._total = None if self.seconds is None else int(round(self.seconds * self.sample_rate))
        self._rng = np.random.default_rng(self.seed)
        # Noise power per complex sample so that C/N = cnr_db within noise_bandwidth.
        cn = 10 ** (self.cnr_db / 10)
        self._sigma = np.float32(self.amplitude * np.sqrt(self.sample_rate / (self.noise_bandwidth * cn) / 2))

    def work(self, n):
        if self._total is not None:
            n = min(n, self._total - self._n)
            if n <= 0:
                return None
        out = self.buffer(n, np.complex64)
        fm_tones(self._n, self.sample_rate, self.tones, self._amps, self._phases, self.deviation,
                 self.offset, np.float32(self.amplitude), out)
        noise = self.scratch(2 * n, np.float32)
        self._rng.standard_normal(out=noise, dtype=np.float32)
        f = out.view(np.float32)
        f += noise * self._sigma
        if self.quantize:
            quantize_u8(f, np.float32(127.5), f)
        if self._n == 0:
            self.add_tag(0, "rx_freq", self.frequency)
            self.add_tag(0, "rx_rate", self.sample_rate)
        self._n += n
        if self._total is not None and self._n >= self._total:
            self.end_of_stream()
        return out
