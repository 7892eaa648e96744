"""What the simulated broadcast receivers share (``FMStationSource``, ``FMBandSource``): a
length in seconds, a retunable centre, the front end's noise, an RTL-SDR's 8-bit grid and the
tags a dongle puts on its stream."""
import numpy as np

from sdrflow.block import Block
from sdrflow.kernels.sim import quantize_u8


class SimulatedAir(Block):
    """Base of a simulated radio's output. A subclass sets ``sample_rate``, ``frequency``,
    ``seconds``, ``quantize`` and ``seed``; its ``start`` calls ``start_air(sigma)`` (the
    noise of each of I and Q); its ``work(n)`` asks ``samples(n)`` how many it may make (0 at
    the end), writes the signal and returns ``deliver(out)``."""

    _retuned = False

    def set_frequency(self, frequency: float) -> None:
        """Retune the 'receiver' (what is on the air stays where it is)."""
        try:
            value = float(frequency)
        except (TypeError, ValueError):
            value = float("nan")
        if isinstance(frequency, bool) or not 0 < value < float("inf"):
            raise ValueError(f"{type(self).__name__}: frequency must be > 0 Hz, "
                             f"got {frequency!r}")
        self.frequency = value
        self._retuned = True

    def start_air(self, sigma: float) -> None:
        self._n = 0
        self._total = None if self.seconds is None else int(round(self.seconds * self.sample_rate))
        self._rng = np.random.default_rng(self.seed)
        self._sigma = np.float32(sigma)

    def samples(self, n: int) -> int:
        """How many of the ``n`` asked are left to make: all of them for an endless stream."""
        return n if self._total is None else max(0, min(n, self._total - self._n))

    def deliver(self, out: np.ndarray) -> np.ndarray:
        """``out`` with the noise added, on the 8-bit grid when ``quantize``, tagged
        ``rx_rate`` and ``rx_freq`` on its first sample and ``rx_freq`` after a retune."""
        noise = self.scratch(2 * len(out), np.float32, key="noise")
        self._rng.standard_normal(out=noise, dtype=np.float32)
        f = out.view(np.float32)
        f += noise * self._sigma
        if self.quantize:
            quantize_u8(f, np.float32(127.5), f)
        if self._n == 0:
            self.add_tag(0, "rx_rate", self.sample_rate)
        if self._n == 0 or self._retuned:
            self._retuned = False
            self.add_tag(0, "rx_freq", self.frequency)
        self._n += len(out)
        if self._total is not None and self._n >= self._total:
            self.end_of_stream()
        return out
