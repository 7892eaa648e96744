import collections
import math

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.modes import CRC_TABLE, crc24

CHARS = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######"
NZ = 15  # CPR's latitude zones per quadrant


def df17(icao: int, me: int) -> bytes:
    """A DF17 extended squitter (capability 5) carrying the 56-bit message ``me``, with its
    CRC-24."""
    frame = bytearray((17 << 3 | 5, icao >> 16 & 0xFF, icao >> 8 & 0xFF, icao & 0xFF))
    frame += me.to_bytes(7, "big") + b"\0\0\0"
    crc = int(crc24(np.frombuffer(bytes(frame), np.uint8).copy(), 11, CRC_TABLE))
    frame[11:14] = crc.to_bytes(3, "big")
    return bytes(frame)


def identification(icao: int, callsign: str) -> bytes:
    """A DF17 aircraft-identification frame (type code 4)."""
    callsign = callsign.upper().ljust(8)[:8]
    bits = 0
    for c in callsign:
        code = CHARS.find(c)
        if code < 0 or c == "#":
            raise ValueError(f"ModeSSource: {c!r} cannot be in a callsign")
        bits = (bits << 6) | code
    return df17(icao, (4 << 51) | bits)  # type code 4, category 0


def longitude_zones(lat: float) -> int:
    """CPR's NL: the number of longitude zones at latitude ``lat``."""
    lat = abs(lat)
    if lat >= 87:
        return 2 if lat == 87 else 1
    if lat == 0:
        return 59
    a = 1 - math.cos(math.pi / (2 * NZ))
    return int(2 * math.pi / math.acos(1 - a / math.cos(math.radians(lat)) ** 2))


def airborne_position(icao: int, lat: float, lon: float, feet: float, odd: bool) -> bytes:
    """A DF17 airborne-position frame (type code 11, barometric altitude in 25 ft steps) with
    the even or odd 17-bit CPR encoding of (lat, lon)."""
    n = int(round((feet + 1000) / 25))
    if not 0 <= n < 2 ** 11:
        raise ValueError(f"ModeSSource: altitude {feet!r} ft is outside −1000 … 50175 ft")
    altitude = (n >> 4) << 5 | 1 << 4 | (n & 0xF)  # the Q bit set: 25 ft steps
    i = int(odd)
    dlat = 360.0 / (4 * NZ - i)
    yz = math.floor(2 ** 17 * (lat % dlat) / dlat + 0.5)
    rlat = dlat * (yz / 2 ** 17 + math.floor(lat / dlat))
    dlon = 360.0 / max(longitude_zones(rlat) - i, 1)
    xz = math.floor(2 ** 17 * (lon % dlon) / dlon + 0.5)
    me = 11 << 51 | altitude << 36 | i << 34 | (yz % 2 ** 17) << 17 | (xz % 2 ** 17)
    return df17(icao, me)


def airborne_velocity(icao: int, knots: float, track: float, feet_per_minute: float) -> bytes:
    """A DF17 airborne-velocity frame (type code 19, subtype 1: ground speed as east and north
    components in knots, barometric vertical rate in 64 ft/min steps)."""
    east = knots * math.sin(math.radians(track))
    north = knots * math.cos(math.radians(track))
    v_ew, v_ns = min(int(round(abs(east))) + 1, 1023), min(int(round(abs(north))) + 1, 1023)
    vr = min(int(round(abs(feet_per_minute) / 64)) + 1, 511)
    me = (19 << 51 | 1 << 48 | (east < 0) << 42 | v_ew << 32 | (north < 0) << 31 | v_ns << 21
          | 1 << 20 | (feet_per_minute < 0) << 19 | vr << 10)
    return df17(icao, me)


class Flight:
    """A simulated aircraft in steady flight from (lat, lon, feet) at time 0: out along
    ``track`` for a quarter of an hour, back for a quarter of an hour, and again, so a
    simulation can run for days; climbing or descending until it levels off at 40000 ft (or
    its start, if higher) or 1000 ft (or its start, if lower)."""

    PERIOD = 1800.0  # s: out and back

    def __init__(self, icao, callsign, lat=None, lon=None, feet=None, track=0.0, knots=0.0,
                 feet_per_minute=0.0):
        self.icao, self.callsign = int(icao), str(callsign)
        if not 0 <= self.icao < 2 ** 24:
            raise ValueError(f"ModeSSource: an ICAO address has 24 bits, got {icao!r}")
        identification(self.icao, self.callsign)  # refuses a bad callsign now
        self.flies = lat is not None
        if self.flies:
            self.lat, self.lon, self.feet = float(lat), float(lon), float(feet)
            if not (-85 <= self.lat <= 85 and -180 <= self.lon <= 180):
                raise ValueError(f"ModeSSource: ({lat!r}, {lon!r}) is not a latitude within ±85° "
                                 f"and a longitude within ±180°")
            self.track, self.knots, self.fpm = float(track), float(knots), float(feet_per_minute)
            airborne_position(self.icao, self.lat, self.lon, self.feet, False)  # altitude check

    def at(self, t: float) -> tuple:
        """(latitude, longitude, feet) at ``t`` seconds."""
        phase = t % self.PERIOD
        hours = min(phase, self.PERIOD - phase) / 3600  # out, then back the same way
        nm = self.knots * hours  # nautical miles from the start; one is a minute of latitude
        lat = self.lat + nm * math.cos(math.radians(self.track)) / 60
        lon = self.lon + nm * math.sin(math.radians(self.track)) / (60 * math.cos(math.radians(self.lat)))
        return lat, (lon + 180) % 360 - 180, self._altitude(t)[0]

    def motion(self, t: float) -> tuple:
        """(track in degrees, vertical rate in ft/min) at ``t`` seconds."""
        back = t % self.PERIOD >= self.PERIOD / 2
        return (self.track + 180) % 360 if back else self.track, 0.0 if self._altitude(t)[1] else self.fpm

    def _altitude(self, t: float) -> tuple:
        """(feet, levelled off) at ``t`` seconds."""
        feet = self.feet + self.fpm * t / 60
        low, high = min(self.feet, 1000.0), max(self.feet, 40000.0)
        return min(max(feet, low), high), not low < feet < high

    def frame(self, k: int, t: float) -> bytes:
        """The aircraft's ``k``-th frame, sent at ``t`` s: identification, even position,
        velocity, odd position, and again (identification only, for an aircraft without a
        flight path)."""
        kind = k % 4 if self.flies else 0
        if kind == 0:
            return identification(self.icao, self.callsign)
        if kind == 2:
            return airborne_velocity(self.icao, self.knots, *self.motion(t))
        lat, lon, feet = self.at(t)
        return airborne_position(self.icao, lat, lon, feet, odd=kind == 3)


class ModeSSource(Block):
    """Simulated 1090 MHz traffic at 2 Msps: DF17 frames of a few aircraft in steady flight
    (identification, even and odd airborne positions, velocity, in turn) as pulse-position
    modulation (8 µs preamble, 112 bits of 1 µs), in noise, as an RTL-SDR at 1090 MHz would see
    them. The latest 100000 frames sent are in ``sent`` as (time, hex) for tests to compare
    with, and ``flights[i].at(t)`` is where aircraft ``i`` was at ``t`` seconds.

    Signature: -> complex64 (2 Msps)

    Parameters
    ----------
    aircraft : sequence of (icao, callsign[, lat, lon, feet, track, knots, feet_per_minute])
        24-bit addresses and callsigns, and where each starts (degrees, feet) and how it flies
        (track in degrees from north, ground speed, vertical rate; out and back every half
        hour, levelling off at 40000 or 1000 ft: see ``Flight``); an aircraft given by
        address and callsign alone sends identification frames only. By default two airliners
        near Amsterdam, one cruising at 35000 ft, one climbing through 12000 ft.
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

    AIRCRAFT = ((0x4D2023, "AMC421", 52.25, 4.60, 35000, 135, 450, 0),
                (0x3C6586, "DLH9LF", 52.40, 4.95, 12000, 80, 300, 1500))

    def __init__(self, aircraft=AIRCRAFT, per_second: float = 20.0,
                 snr_db: float = 20.0, seconds: float | None = None, seed: int = 0):
        try:
            self.flights = [Flight(*a) for a in aircraft]
        except TypeError:
            raise ValueError(f"ModeSSource: each aircraft is (icao, callsign) or (icao, callsign, "
                             f"lat, lon, feet, track, knots, feet_per_minute), got {aircraft!r}") from None
        if not per_second > 0:
            raise ValueError(f"ModeSSource: per_second must be > 0, got {per_second!r}")
        self.per_second, self.snr_db, self.seconds, self.seed = float(per_second), snr_db, seconds, seed

    def output_rate(self, rate):
        return self.RATE

    def start(self, rate):
        # Noise and each aircraft draw from streams of their own, so the samples do not depend
        # on how many are asked for at a time.
        self._rng = np.random.default_rng(self.seed)
        self._aircraft_rngs = [np.random.default_rng([self.seed, i + 1]) for i in range(len(self.flights))]
        self._sent_by = [0] * len(self.flights)  # frames each aircraft has sent
        self._n = 0
        self._total = None if self.seconds is None else int(self.seconds * self.RATE)
        self._noise = np.float32(10 ** (-self.snr_db / 20) / np.sqrt(2))
        self._next = [int(r.uniform(0, self.RATE / self.per_second)) for r in self._aircraft_rngs]
        self._tail = np.zeros(0, np.complex64)  # the rest of frames that began in an earlier call
        self.sent = collections.deque(maxlen=100_000)  # an endless simulation holds no more

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
        for i, flight in enumerate(self.flights):
            rng = self._aircraft_rngs[i]
            while self._next[i] < end:  # a frame begins in this call; what does not fit waits
                at = self._next[i] - self._n
                frame = flight.frame(self._sent_by[i], self._next[i] / self.RATE)
                self._sent_by[i] += 1
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
