import numpy as np

from sdrflow.block import COMPLEX64, Port

from ._sim import SimulatedAir

#: The stations of the simulated band: (frequency Hz, level dBFS, tone Hz, RDS or None).
FM_BAND = (
    (88.3e6, -18.0, 440.0, {"pi": 0x5301, "ps": "CLASSIC", "pty": 14,
                            "radiotext": "Sonatas and symphonies, all day long"}),
    (91.7e6, -22.0, 660.0, {"pi": 0x5302, "ps": "JAZZ 917", "pty": 24,
                            "radiotext": "Late-night jazz on 91.7"}),
    (95.2e6, -20.0, 880.0, {"pi": 0x5303, "ps": "NEWS 24", "pty": 1,  # announces its sister
                            "radiotext": "The news, every hour on the hour",
                            "others": [(0x5301, "CLASSIC")]}),
    (98.5e6, -14.0, 1000.0, {}),  # the simulated station of sim:fm, its defaults
    (98.9e6, -26.0, 1200.0, {"pi": 0x5304, "ps": "ROCK 989", "pty": 11,
                             "radiotext": "Loud guitars from 98.9"}),
    (104.6e6, -30.0, 1500.0, {"pi": 0x5305, "ps": "TALK", "pty": 3,
                              "radiotext": "Call in: your questions answered"}),
    (107.4e6, -20.0, 2000.0, None),  # a station without RDS
)


class FMBandSource(SimulatedAir):
    """A simulated broadcast FM band as an RTL-SDR tuned anywhere in it would deliver it.

    Several ``FMStationSource`` stations, each at its own frequency with its own RDS (or
    none), added together over one noise floor and rounded to 8 bits: a tuned centre shows the
    stations within ±rate/2 of it. A retune (``set_frequency``, or ``{"frequency": f}`` on
    ``ctrl``) moves the band past the receiver, as on the air. Reproducible by ``seed`` and
    independent of how it is chunked. Tags ``rx_freq`` (on the first sample and after every
    retune) and ``rx_rate``.

    Signature: -> complex64

    Parameters
    ----------
    rate : float
        Sample rate in Hz (2.4e6, as an RTL-SDR).
    frequency : float
        Tuned centre frequency in Hz.
    stations : sequence
        (frequency Hz, level dBFS, tone Hz, rds) per station: ``rds`` is FMStationSource's
        dict (``{}`` its defaults) or None for a station without RDS. The default,
        ``FM_BAND``, holds seven stations from 88.3 to 107.4 MHz, one without RDS; NEWS 24
        (95.2 MHz) announces its sister CLASSIC (88.3 MHz) as another network.
    noise_db : float
        Noise power in dBFS within 200 kHz (one FM channel): a station's carrier-to-noise
        ratio is its level minus this.
    seconds : float, optional
        Length of the stream; endless when None.
    quantize : bool
        Round to 8 bits like an RTL-SDR.
    seed : int
        Seed of the noise generator.

    Example: ``FMBandSource(frequency=98.7e6, seconds=2)`` (98.5 and 98.9 MHz in view)
    """

    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)
    cost = 1000.0  # the stations in view (~400 each), the noise and the 8-bit grid

    def __init__(self, rate: float = 2.4e6, frequency: float = 98.5e6, stations=FM_BAND,
                 noise_db: float = -55.0, seconds: float | None = None, quantize: bool = True,
                 seed: int = 0):
        from sdrflow.blocks import FMStationSource

        if not rate > 0:
            raise ValueError(f"FMBandSource: rate must be > 0 Hz, got {rate!r}")
        if seconds is not None and not seconds > 0:
            raise ValueError(f"FMBandSource: seconds must be > 0, got {seconds!r}")
        self.sample_rate, self.noise_db, self.seconds = float(rate), float(noise_db), seconds
        self.quantize, self.seed = bool(quantize), seed
        self.stations = []
        for k, station in enumerate(stations):
            try:
                where, level, tone, rds = station
                where, level = float(where), float(level)
            except (TypeError, ValueError):
                raise ValueError(f"FMBandSource: a station is (frequency Hz, level dBFS, tone Hz, "
                                 f"rds dict or None), got {station!r}") from None
            if not level < 0:
                raise ValueError(f"FMBandSource: a station's level is in dBFS, below 0, got "
                                 f"{level!r}")
            st = FMStationSource(rate=rate, tones=(tone,), levels=(0.5,), frequency=where,
                                 quantize=False, rds=None if rds is None else {"af": [], **rds})
            st.amplitude = 10 ** (level / 20)
            self.stations.append(st)
        self.set_frequency(frequency)

    @property
    def names(self) -> dict:
        """Each station's frequency (Hz) and the PS name it sends (None without RDS)."""
        return {st._station: st.rds["ps"] if st.rds else None for st in self.stations}

    def output_rate(self, rate):
        return self.sample_rate

    def set_frequency(self, frequency: float) -> None:
        """Retune the 'receiver': the stations stay where they are on the air."""
        super().set_frequency(frequency)
        for st in self.stations:
            st.set_frequency(frequency)

    def start(self, rate):
        for st in self.stations:
            st.start(None)
        # Noise power per complex sample: noise_db within 200 kHz, spread over the whole rate.
        self.start_air(np.sqrt(10 ** (self.noise_db / 10) * self.sample_rate / 200e3 / 2))

    def work(self, n):
        n = self.samples(n)
        if not n:
            return None
        out = self.buffer(n, np.complex64)
        out[:] = 0
        one = self.scratch(n, np.complex64)
        for st in self.stations:
            if st.on_air(self._n, one):
                out += one
        return self.deliver(out)
