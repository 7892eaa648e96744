import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.modes import CRC_TABLE, crc24

CHARS = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"


def identification(icao: int, callsign: str) -> bytes:
    """A DF17 aircraft-identification frame (type code 4) with its CRC-24."""
    callsign = callsign.upper().ljust(8)[:8]
    bits = 0
    for c in callsign:
        code = CHARS.find(c)
        if code < 0 or c == "#":
            raise ValueError(f"ModeSSource: {c!r} cannot be in a callsign")
        bits = (bits << 6) | code
    me = (4 << 51) | bits  # type code 4, category 0
    frame = bytearray((17 << 3 | 5, icao >> 16 & 0xFF, icao >> 8 & 0xFF, icao & 0xFF))
    frame += me.to_bytes(7, "big") + b"\0\0\0"
    crc = int(crc24(np.frombuffer(bytes(frame), np.uint8).copy(), 11, CRC_TABLE))
    frame[11:14] = crc.to_bytes(3, "big")
    return bytes(frame)


class ModeSSource(Block):
    """Simulated 1090 MHz traffic at 2 Msps: DF17 identification frames of a few aircraft as
    pulse-position modulation (8 µs preamble, 112 bits of 1 µs), in noise, as an RTL-SDR at
    1090 MHz would see them. The frames sent are in ``sent`` for tests to compare with.

    Signature: -> complex64 (2 Msps)

    Parameters
    ----------
    aircraft : sequence of (icao, callsign)
        24-bit addresses and callsigns.
    per_second : float
        Frames per second of each aircraft.
    snr_db : float
        Pulse power over the noise power, in dB.
    seconds : float, optional
        Length of the stream; endless when None.
    seed : int
        Seed of the noise and the frame times.

    Example: ``ModeSSource([(0x4D2023, "AMC421")], seconds=2)``
    """

    outputs = [Port("out", COMPLEX64)]
    RATE = 2e6

    def __init__(self, aircraft=((0x4D2023, "AMC421"), (0x3C6586, "DLH9LF")), per_second: float = 20.0,
                 snr_db: float = 20.0, seconds: float | None = None, seed: int = 0):
        self.frames = [identification(int(icao), callsign) for icao, callsign in aircraft]
        if not per_second > 0:
            raise ValueError(f"ModeSSource: per_second must be > 0, got {per_second!r}")
        self.per_second, self.snr_db, self.seconds, self.seed = float(per_second), snr_db, seconds, seed

    def output_rate(self, rate):
        return self.RATE

    def start(self, rate):
        # Noise and each aircraft draw from streams of their own, so the samples do not depend
        # on how many are asked for at a time.
        self._rng = np.random.default_rng(self.seed)
        self._aircraft_rngs = [np.random.default_rng([self.seed, i + 1]) for i in range(len(self.frames))]
        self._n = 0
        self._total = None if self.seconds is None else int(self.seconds * self.RATE)
        self._noise = np.float32(10 ** (-self.snr_db / 20) / np.sqrt(2))
        self._next = [int(r.uniform(0, self.RATE / self.per_second)) for r in self._aircraft_rngs]
        self._tail = np.zeros(0, np.complex64)  # the rest of frames that began in an earlier call
        self.sent = []

    @staticmethod
    def pulses(frame: bytes) -> np.ndarray:
        """Amplitudes of one frame at 2 Msps: preamble then bits (1 = high, low; 0 = low, high)."""
        out = np.zeros(16 + 16 * len(frame), np.float32)
        out[[0, 2, 7, 9]] = 1
        for i, byte in enumerate(frame):
            for k in range(8):
                one = byte >> (7 - k) & 1
                out[16 + 2 * (8 * i + k) + (0 if one else 1)] = 1
        return out

    def work(self, n):
        if self._total is not None:
            n = min(n, self._total - self._n)
            if n <= 0:
                return None
        out = self.buffer(n, np.complex64)
        noise = self._rng.standard_normal(2 * n).astype(np.float32) * self._noise
        out.real, out.imag = noise[0::2], noise[1::2]
        k = min(n, len(self._tail))
        out[:k] += self._tail[:k]
        self._tail = self._tail[k:]
        end = self._n + n
        spacing = self.RATE / self.per_second
        for i, frame in enumerate(self.frames):
            rng = self._aircraft_rngs[i]
            while self._next[i] < end:  # a frame begins in this call; what does not fit waits
                at = self._next[i] - self._n
                burst = self.pulses(frame) * np.exp(1j * rng.uniform(0, 2 * np.pi)).astype(np.complex64)
                k = min(len(burst), n - at)
                out[at:at + k] += burst[:k]
                if k < len(burst):
                    rest = burst[k:]
                    if len(self._tail) < len(rest):
                        self._tail = np.concatenate([self._tail, np.zeros(len(rest) - len(self._tail), np.complex64)])
                    self._tail[:len(rest)] += rest
                self.sent.append((self._next[i] / self.RATE, frame.hex()))
                self._next[i] += int(rng.uniform(0.5, 1.5) * spacing)
        self._n = end
        return out
