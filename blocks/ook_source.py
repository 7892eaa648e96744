import collections

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port


class OOKSource(Block):
    """A simulated on-off keyed transmitter: the same bits sent again and again, as a 433 MHz
    sensor sends its reading, in white noise at a carrier offset, as an RTL-SDR would see it.

    A 1 is carrier on for one bit period, a 0 carrier off (PCM). The first burst starts half an
    ``interval`` in, the next ones every ``interval`` seconds. The start times of the latest 100000
    bursts sent are in ``sent`` for tests to compare with.

    Signature: -> complex64

    Parameters
    ----------
    bits : sequence of 0/1
        One burst (0s at its ends are silence).
    bit_rate : float
        Bits per second.
    rate : float
        Sample rate in Hz.
    interval : float
        Seconds from one burst to the next.
    snr_db : float
        Carrier power over the noise power, in dB.
    offset : float
        Carrier offset from the centre in Hz.
    seconds : float, optional
        Length of the stream; endless without.
    seed : int
        Seed of the noise and carrier phases.

    Example: ``OOKSource([1, 0, 1, 1], bit_rate=1000, rate=250e3, seconds=2)``
    """

    outputs = [Port("out", COMPLEX64)]

    def __init__(self, bits, bit_rate: float = 1000.0, rate: float = 250e3, interval: float = 1.0,
                 snr_db: float = 26.0, offset: float = 9.2e3, seconds: float | None = None,
                 seed: int = 0):
        bits = np.asarray(bits)
        if bits.ndim != 1 or not np.isin(bits, (0, 1)).all() or not bits.any():
            raise ValueError("OOKSource: bits must be a sequence of 0s and 1s with at least one 1")
        for name, v in (("bit_rate", bit_rate), ("rate", rate), ("interval", interval)):
            if not v > 0:
                raise ValueError(f"OOKSource: {name} must be > 0, got {v!r}")
        if len(bits) / bit_rate >= interval:
            raise ValueError(f"OOKSource: a burst lasts {len(bits) / bit_rate:g} s, longer than "
                             f"the interval {interval:g} s; give a longer interval")
        if abs(offset) >= rate / 2:
            raise ValueError(f"OOKSource: offset {offset:g} Hz is outside ±rate/2")
        if seconds is not None and not seconds > 0:
            raise ValueError(f"OOKSource: seconds must be > 0, got {seconds!r}")
        self.bits, self.bit_rate, self.sample_rate = bits.astype(np.float32), float(bit_rate), float(rate)
        self.interval, self.snr_db, self.offset = float(interval), float(snr_db), float(offset)
        self.seconds, self.seed = seconds, int(seed)

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        fs = self.sample_rate
        self._rng = np.random.default_rng(self.seed)
        self._noise = np.float32(10 ** (-self.snr_db / 20) / np.sqrt(2))
        index = (np.arange(int(np.ceil(len(self.bits) * fs / self.bit_rate))) * self.bit_rate / fs).astype(int)
        self._envelope = self.bits[np.minimum(index, len(self.bits) - 1)]
        self._n, self._total = 0, None if self.seconds is None else int(round(self.seconds * fs))
        self._next = int(round(self.interval * fs / 2))
        self.sent = collections.deque(maxlen=100_000)  # an endless simulation holds no more

    def work(self, n):
        if self._total is not None:
            n = min(n, self._total - self._n)
            if n <= 0:
                return None
        out = self.buffer(n, np.complex64)
        noise = self._rng.standard_normal(2 * n).astype(np.float32) * self._noise
        out.real, out.imag = noise[0::2], noise[1::2]
        end, length = self._n + n, len(self._envelope)
        step = int(round(self.interval * self.sample_rate))
        at = self._next
        while at < end:  # bursts that overlap this call (they may span calls)
            lo, hi = max(at, self._n), min(at + length, end)
            if at >= self._n:
                self.sent.append(at / self.sample_rate)
            t = np.arange(lo, hi)
            carrier = np.exp(2j * np.pi * (self.offset * t / self.sample_rate + 0.1 * (at // step)))
            out[lo - self._n:hi - self._n] += (self._envelope[lo - at:hi - at] * carrier).astype(np.complex64)
            if at + length > end:
                break
            at += step
        self._next = at
        self._n = end
        return out
