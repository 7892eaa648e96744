"""Audio between two clocks: the radio's (which paces the graph) and the sound card's.

They differ by tens of ppm, so a plain buffer slowly fills or empties and then clicks. Like good
receivers, ``DriftBuffer`` resamples what the graph writes by a ratio within ±500 ppm (below
what an ear hears, 1 cent = 578 ppm) that a slow PI loop adjusts to hold the fill at its
target. Underruns (the card found too little) and overruns (the graph wrote into a full buffer)
are counted; once the first target's worth has arrived neither happens in steady state.
"""
from __future__ import annotations

import threading

import numpy as np


class DriftBuffer:
    """A ring of audio frames with a fill-controlled resampler in front of it.

    ``push(frames)`` from the graph (never waits), ``pull(n)`` from the sound card's callback.
    ``frames`` is (n, channels) float32. The loop: ``ratio = 1 − (kp·e + ki·∫e)`` with ``e`` the
    smoothed fill error in seconds, clipped to ``max_ppm``."""

    def __init__(self, rate: float, channels: int = 1, target: float = 0.1, capacity: float = 0.5,
                 kp: float = 0.1, ki: float = 0.0025, max_ppm: float = 500.0, smooth: float = 1.0):
        self.rate, self.channels = float(rate), int(channels)
        self.target = target
        self.size = int(capacity * rate)
        self.buf = np.zeros((self.size, self.channels), np.float32)
        self.read = self.write = 0  # absolute frame counts
        self.kp, self.ki, self.max = kp, ki, max_ppm * 1e-6
        self.smooth = smooth
        self.ratio = 1.0
        self.underruns = self.overruns = 0
        self.frames_in = self.frames_out = 0
        self.primed = False
        self._integral = 0.0
        self._error = None
        self._last = np.zeros(self.channels, np.float32)
        self._t = 1.0  # next output position, in input frames after the last input frame held
        self.lock = threading.Lock()

    @property
    def fill(self) -> float:
        """Seconds of audio waiting for the sound card."""
        return (self.write - self.read) / self.rate

    def push(self, frames: np.ndarray) -> None:
        frames = np.asarray(frames, np.float32).reshape(len(frames), self.channels)
        n = len(frames)
        if n == 0:
            return
        self.frames_in += n
        # Resample by ``ratio`` (output frames per input frame) with linear interpolation,
        # continuing from the last frame of the previous push (index 0 below).
        step = 1.0 / self.ratio
        count = int(np.floor((n - self._t) / step)) + 1 if self._t <= n else 0
        pos = self._t + step * np.arange(count)
        ext = np.concatenate([self._last[None, :], frames])
        i = np.minimum(pos.astype(np.int64), n - 1)
        frac = (pos - i)[:, None].astype(np.float32)
        out = ext[i] * (1 - frac) + ext[i + 1] * frac
        self._t = (pos[-1] + step - n) if count else self._t - n
        self._last = frames[-1].copy()
        with self.lock:
            free = self.size - (self.write - self.read)
            if len(out) > free:  # full: the oldest frames go
                self.overruns += 1
                self.read += len(out) - free
            j = self.write % self.size
            k = min(len(out), self.size - j)
            self.buf[j:j + k] = out[:k]
            self.buf[:len(out) - k] = out[k:]
            self.write += len(out)
            fill = self.fill
        if not self.primed and fill >= self.target:
            self.primed = True
        self._steer(fill, n / self.rate)

    def _steer(self, fill: float, dt: float) -> None:
        if not self.primed:
            return
        e = fill - self.target
        a = min(1.0, dt / self.smooth)
        self._error = e if self._error is None else self._error + a * (e - self._error)
        self._integral += self._error * dt
        correction = self.kp * self._error + self.ki * self._integral
        if abs(correction) > self.max:  # anti-windup: hold the integral at the limit
            self._integral -= self._error * dt
            correction = np.clip(correction, -self.max, self.max)
        self.ratio = 1.0 - correction

    def pull(self, n: int, out: np.ndarray | None = None) -> np.ndarray:
        """``n`` frames for the sound card; silence where there is nothing (an underrun, counted
        once the buffer had filled the first time)."""
        out = np.zeros((n, self.channels), np.float32) if out is None else out
        with self.lock:
            have = min(n, self.write - self.read) if self.primed else 0
            j = self.read % self.size
            k = min(have, self.size - j)
            out[:k] = self.buf[j:j + k]
            out[k:have] = self.buf[:have - k]
            out[have:] = 0
            self.read += have
            if self.primed and have < n:
                self.underruns += 1
        self.frames_out += n
        return out
