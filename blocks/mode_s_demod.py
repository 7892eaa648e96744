import collections

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.demod import magnitude
from sdrflow.kernels.modes import CRC_TABLE, crc24, find_frames, magnitude_2msps
from sdrflow.kernels.resample import polyphase

_WINDOW = 16 + 2 * 112  # preamble + longest frame, in samples at 2 Msps
_ADDRESS_PARITY = {0, 4, 5, 16, 20, 21, 24}  # parity field XOR the aircraft address


def _syndromes(nbits):
    """residual → bit index, for every single-bit error in an ``nbits`` frame (CRC is linear)."""
    table = {}
    for i in range(nbits):
        frame = np.zeros(nbits // 8, np.uint8)
        frame[i // 8] = 0x80 >> (i % 8)
        n = nbits // 8
        parity = (int(frame[n - 3]) << 16) | (int(frame[n - 2]) << 8) | int(frame[n - 1])
        table[int(crc24(frame, n - 3, CRC_TABLE)) ^ parity] = i
    return table


def _to_2msps_taps():
    """Low-pass for 2.4 → 2 Msps (×5, ÷6): 61 taps, Kaiser β 5, cut at 1 MHz of the 12 MHz
    grid. Sharper than the generic resampler's design; on modes1 brought to 2.4 Msps and back it
    keeps 215 of dump1090's 217 frames (a 31-tap filter keeps 170)."""
    n = np.arange(61) - 30
    h = np.sinc(n / 6) * np.kaiser(61, 5.0)
    return (5 * h / h.sum()).astype(np.float32)


class ModeSDemod(Block):
    """Mode S / ADS-B receiver at 1090 MHz: finds replies and squitters in a 2 or 2.4 Msps
    stream and posts each frame that passes its CRC, as dump1090 ``--raw`` would print it.

    Pulse-position modulation at 1 Mbit/s: an 8 µs preamble, then 56 or 112 bits, each a pulse
    in the first or second half-µs. Candidates are checked with the CRC-24: DF11/17/18 must give
    a zero residual (DF11: up to its interrogator code), with one flipped bit repaired when
    ``fix`` is on; the other formats (DF0, 4, 5, 16, 20, 21, 24) carry the address in their
    parity and are kept when it is an aircraft already heard in a DF11/17/18. Each frame goes out
    on ``frames`` as ``{"raw": hex, "df": n, "icao": "4d2023", "time": s, "crc": "ok" | "fixed"
    | "address"}``; ``frames`` (the attribute) keeps the latest 1000 and ``frames_found`` counts
    them all, so a receiver running for days holds bounded memory.

    At 2.4 Msps (the rate many dongle users run) the stream is first brought to 2 Msps by a
    polyphase low-pass (5/6), and the frames are found on that grid.

    Signature: complex64 (2 or 2.4 Msps) -> , message ``frames``

    Parameters
    ----------
    fix : bool
        Repair single-bit errors in DF11/17/18 frames.

    Example: ``fg.connect(FileSource("modes.cu8", rate=2e6), ModeSDemod())``
    """

    inputs = [Port("in", COMPLEX64)]
    message_outputs = ("frames",)
    cost = 30.0

    def __init__(self, fix: bool = True):
        self.fix = bool(fix)
        self.frames = collections.deque(maxlen=1000)
        self.frames_found = 0

    def start(self, rate):
        if abs(rate - 2e6) > 1 and abs(rate - 2.4e6) > 1:
            raise ValueError(f"ModeSDemod needs 2 or 2.4 Msps, the input runs at {rate:g} Hz: "
                             f"record at 2e6 or 2.4e6, or resample first")
        self._poly, self._delay = None, 0.0
        if abs(rate - 2.4e6) <= 1:
            self._delay = 30 / 12e6  # the 61-tap low-pass, centred, on the 12 MHz grid
            self._poly = polyphase(_to_2msps_taps(), 5)
            self._tail = np.zeros(self._poly.shape[1] - 1, np.complex64)  # history, then leftovers
        # The search at j needs mag[j − 1]: the history starts with one silent sample before
        # the stream, and keeps the sample before the next call's first position.
        self._history = np.zeros(1, np.float32)
        self._n = -1  # absolute index of the first sample in the history
        self._next_free = 0  # frames may not overlap: the next one starts after this sample
        self._icao = set()
        self._syndromes = {56: _syndromes(56), 112: _syndromes(112)}
        self.frames = collections.deque(maxlen=1000)
        self.frames_found = 0

    def work(self, x):
        h = len(self._history)
        if self._poly is None:
            mag = self.scratch(h + len(x), np.float32)
            magnitude(x, mag[h:])
        else:
            buf = np.concatenate([self._tail, x])
            mag = self.scratch(h + len(buf) * 5 // 6 + 5, np.float32)
            periods = magnitude_2msps(buf, self._poly, mag[h:])
            self._tail = buf[6 * periods:].copy()
            mag = mag[:h + 5 * periods]
        mag[:h] = self._history
        limit = len(mag) - _WINDOW
        if limit > 1:
            cap = limit + 2  # preambles cannot start at neighbouring samples: ≤ limit/2 candidates
            frames = self.scratch(cap, np.uint8, key="frames", shape=(14,))
            positions = self.scratch(cap, np.intp, key="positions")
            residuals = self.scratch(cap, np.uint32, key="residuals")
            # Rows in order of position, each candidate as sliced then phase-corrected.
            count = find_frames(mag, limit, CRC_TABLE, frames, positions, residuals)
            for k, position, residual in zip(range(count), positions[:count].tolist(),
                                             residuals[:count].tolist()):
                self._check(frames[k], self._n + position, residual)
            self._history = mag[limit - 1:].copy()
            self._n += limit - 1
        else:
            self._history = mag.copy()

    def input_ended(self):
        """The stream ended: search its last samples too, which ``work`` keeps back until a
        whole window follows them. Silence after the end completes the window, so a frame that
        ends within the stream is found, as at any other place."""
        # 2·_WINDOW covers the window at 2.4 Msps too (1.2·_WINDOW, and the resampler's taps).
        self.work(np.zeros(2 * _WINDOW, np.complex64))

    def _check(self, frame, position, residual):
        if position < self._next_free:
            return
        df = int(frame[0]) >> 3
        nbits = 112 if df >= 16 else 56
        if df not in (0, 4, 5, 11, 16, 17, 18, 20, 21, 24):
            return
        status = None
        if df in (11, 17, 18):
            if residual == 0 or (df == 11 and residual < 0x80):
                status = "ok"
            elif self.fix and residual in self._syndromes[nbits]:
                bit = self._syndromes[nbits][residual]
                frame = frame.copy()
                frame[bit // 8] ^= 0x80 >> (bit % 8)
                status = "fixed"
            if status:
                self._icao.add((int(frame[1]) << 16) | (int(frame[2]) << 8) | int(frame[3]))
        elif df in _ADDRESS_PARITY and residual in self._icao:
            status = "address"
        if status is None:
            return
        raw = bytes(frame[:nbits // 8]).hex()
        icao = raw[2:8] if df in (11, 17, 18) else f"{residual:06x}"
        message = {"raw": raw, "df": df, "icao": icao, "time": position / 2e6 - self._delay,
                   "crc": status}
        self.frames.append(message)
        self.frames_found += 1
        self.post("frames", message)
        self._next_free = position + 16 + 2 * nbits
