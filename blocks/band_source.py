import numpy as np

from sdrflow.block import COMPLEX64, Block, Port

MODULATIONS = ("am", "nbfm", "usb", "lsb", "carrier")


class BandSource(Block):
    """A simulated band: several stations at known offsets, modulations and levels, in noise.

    Each station carries one audio tone: ``am`` as ``(1 + 0.5·sin 2πft)·e^{j2π·offset·t}``,
    ``nbfm`` with 2.5 kHz deviation, ``usb``/``lsb`` as the tone above/below the suppressed
    carrier, ``carrier`` unmodulated. One second is synthesised at ``start`` and played in a
    loop (whole-hertz offsets and tones make the loop seamless), so it costs nothing per sample.
    Levels are station powers in dBFS; the noise is white with total power ``noise_db`` dBFS.
    Tags ``rx_rate`` and (if given) ``rx_freq`` on the first sample.

    Signature: -> complex64

    Parameters
    ----------
    rate : float
        Sample rate in Hz (whole hertz).
    stations : sequence of (offset, modulation, level_db, tone)
        Offset from the centre in Hz, one of am, nbfm, usb, lsb, carrier, power in dBFS,
        audio tone in Hz (all whole numbers of hertz).
    noise_db : float
        Total noise power in dBFS across the band.
    seconds : float, optional
        Length of the stream; endless when None.
    frequency : float, optional
        Centre frequency in Hz, reported in ``rx_freq``.
    seed : int
        Seed of the noise.
    at : float, optional
        Fix the stations at ``at + offset`` Hz, wherever the source is tuned: a retune
        (``{"frequency": Hz}`` by message) then moves the band past them like a real
        tuner's, and stations outside the band drop out. Without it the stations move along.

    Example: ``BandSource(2.4e6, [(-300e3, "am", -30, 1000), (200e3, "nbfm", -40, 700)])``
    """

    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)
    cost = 1.0

    def __init__(self, rate: float = 2.4e6, stations=((0, "am", -20, 1000),),
                 noise_db: float = -60.0, seconds: float | None = None,
                 frequency: float | None = None, seed: int = 0, at: float | None = None):
        if not rate > 0 or rate != int(rate):
            raise ValueError(f"BandSource: rate must be a positive whole number of Hz, got {rate!r}")
        checked = []
        for station in stations:
            try:
                offset, modulation, level_db, tone = station
            except (TypeError, ValueError):
                raise ValueError(f"BandSource: a station is (offset, modulation, level_db, tone), "
                                 f"got {station!r}") from None
            if modulation not in MODULATIONS:
                raise ValueError(f"BandSource: modulation must be one of {', '.join(MODULATIONS)}, "
                                 f"got {modulation!r}")
            if abs(offset) >= rate / 2 or offset != int(offset) or tone != int(tone):
                raise ValueError(f"BandSource: offset must be whole hertz within ±rate/2 and the "
                                 f"tone whole hertz, got offset {offset!r}, tone {tone!r}")
            checked.append((int(offset), modulation, float(level_db), int(tone)))
        if seconds is not None and not seconds > 0:
            raise ValueError(f"BandSource: seconds must be > 0 or None, got {seconds!r}")
        self.sample_rate, self.stations, self.noise_db = float(rate), checked, float(noise_db)
        self.seconds, self.frequency, self.seed = seconds, frequency, int(seed)
        if at is not None and frequency is None:
            raise ValueError("BandSource: at= needs the tuned frequency")
        self.at = at

    def output_rate(self, rate):
        return self.sample_rate

    def _in_view(self):
        if self.at is None:
            return self.stations
        shift = round(self.at - self.frequency)
        return [(o + shift, m, lv, t) for o, m, lv, t in self.stations
                if abs(o + shift) < self.sample_rate / 2 * 0.95]

    def set_frequency(self, frequency: float) -> None:
        """Retune: with ``at`` the stations stay where they are and the band moves."""
        if not frequency > 0:
            raise ValueError(f"BandSource: frequency must be > 0 Hz, got {frequency!r}")
        self.frequency = float(frequency)
        if getattr(self, "_loop", None) is not None:
            self._synthesise()
            self._first = True  # tag the first sample at the new frequency

    def start(self, rate):
        self._synthesise()
        self._pos = 0
        self._left = None if self.seconds is None else int(round(self.seconds * self.sample_rate))
        self._first = True

    def _synthesise(self):
        n = int(self.sample_rate)
        t = np.arange(n) / self.sample_rate
        x = np.zeros(n, np.complex128)
        for offset, modulation, level_db, tone in self._in_view():
            amplitude = 10 ** (level_db / 20)
            phase = 2 * np.pi * offset * t
            audio = np.sin(2 * np.pi * tone * t)
            if modulation == "am":  # mean power of (1 + 0.5 sin)² is 1.125
                x += amplitude / np.sqrt(1.125) * (1 + 0.5 * audio) * np.exp(1j * phase)
            elif modulation == "nbfm":
                x += amplitude * np.exp(1j * (phase - 2.5e3 / tone * np.cos(2 * np.pi * tone * t)))
            elif modulation in ("usb", "lsb"):
                sign = 1 if modulation == "usb" else -1
                x += amplitude * np.exp(1j * 2 * np.pi * (offset + sign * tone) * t)
            else:
                x += amplitude * np.exp(1j * phase)
        rng = np.random.default_rng(self.seed)
        sigma = np.sqrt(10 ** (self.noise_db / 10) / 2)
        x += sigma * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
        self._loop = x.astype(np.complex64)

    def work(self, n):
        if self._left is not None:
            n = min(n, self._left)
            if n <= 0:
                return None
            self._left -= n
        out = self.buffer(n, np.complex64)
        done, size = 0, len(self._loop)
        while done < n:
            k = min(n - done, size - self._pos)
            out[done:done + k] = self._loop[self._pos:self._pos + k]
            done += k
            self._pos = (self._pos + k) % size
        if self._first:
            self._first = False
            self.add_tag(0, "rx_rate", self.sample_rate)
            if self.frequency is not None:
                self.add_tag(0, "rx_freq", float(self.frequency))
        return out
