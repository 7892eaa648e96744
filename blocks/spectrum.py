import numpy as np

from sdrflow.block import Decimate, Port, StreamType
from sdrflow.kernels.fft import average_blocks, average_exponential, db_in_place, power

from .fft import FFT


class Spectrum(FFT):
    """Power spectrum in dBFS with averaging, one frame of ``size`` bins per output item.

    ``P[k] = 10·log10(|X[k]|² / (Σw)²)``: a full-scale complex tone (amplitude 1) on a bin reads
    0 dBFS. With ``density=True`` it is a power spectral density instead,
    ``10·log10(|X[k]|² / (rate·Σw²))`` in dBFS/Hz (noise of power σ² reads σ²/rate whatever
    the window), the same scaling as ``scipy.signal.welch(..., scaling="density")``. Averaging is over power (before the log): ``exponential`` with weight ``alpha`` for
    each new frame, or the mean of every ``average`` frames. ``decimation`` then keeps one
    frame in so many, for a display that wants fewer frames than the FFT makes.

    Signature: complex64 -> float32[size], float32 -> float32[size] (a real tone of
    amplitude 1 reads −6 dBFS in each of its two bins)

    Parameters
    ----------
    size : int
        FFT length.
    window : str
        ``scipy.signal.get_window`` name (default ``blackmanharris``).
    overlap : int
        Items shared by consecutive frames.
    average : int or "exponential" or None
        Frames per mean (int ≥ 1), exponential averaging, or none.
    alpha : float
        Weight of a new frame in exponential averaging (0 < alpha ≤ 1).
    decimation : int
        Keep one output frame in ``decimation``.
    shift : bool
        0 Hz in the middle (default True, as a spectrum display shows it).
    density : bool
        Power spectral density (dBFS/Hz) instead of power per bin (dBFS).

    Example: ``Spectrum(2048, average=10, shift=True)``
    """

    def __init__(self, size: int = 1024, window: str = "blackmanharris", overlap: int = 0,
                 average=None, alpha: float = 0.1, decimation: int = 1, shift: bool = True,
                 density: bool = False):
        super().__init__(size, window, overlap, shift)
        if average not in (None, "exponential") and (isinstance(average, bool) or
                                                     int(average) != average or average < 1):
            raise ValueError(f"Spectrum: average must be None, 'exponential' or a frame count >= 1, "
                             f"got {average!r}")
        if not 0 < alpha <= 1:
            raise ValueError(f"Spectrum: alpha must be in (0, 1], got {alpha!r}")
        if int(decimation) != decimation or decimation < 1:
            raise ValueError(f"Spectrum: decimation must be a whole number >= 1, got {decimation!r}")
        self.average, self.alpha, self.decimation = average, float(alpha), int(decimation)
        frames_per_output = (average if isinstance(average, int) else 1) * self.decimation
        self.rate_rule = Decimate(self.hop * frames_per_output)
        self.outputs = [Port("out", StreamType(np.float32, self.size))]
        self.density = bool(density)

    def start(self, rate):
        super().start(rate)
        w = self.window.astype(np.float64)
        self._scale = np.float32(1.0 / (rate * np.sum(w ** 2)) if self.density else 1.0 / np.sum(w) ** 2)
        self._acc = np.zeros(self.size, np.float32)
        self._count = np.zeros(1, np.intp)
        self._skip = 0  # frames to drop before the next kept one (decimation)

    def work(self, x):
        spectra = self._spectra(x)
        n = len(spectra)
        if self.average is None and self.decimation == 1:
            out = self.buffer(n, np.float32, (self.size,))
            power(spectra.reshape(-1), self._scale, out.reshape(-1))
            db_in_place(out.reshape(-1), np.float32(1e-30))
        else:
            p = self.scratch(max(n, 1), np.float32, key="power", shape=(self.size,))[:n]
            power(spectra.reshape(-1), self._scale, p.reshape(-1))
            if self.average == "exponential":
                average_exponential(p, np.float32(self.alpha), self._acc, p)
            elif self.average is not None:
                p = p[:average_blocks(p, self.average, self._acc, self._count, p)]
            first = self._skip
            kept = p[first::self.decimation]
            self._skip = (first - len(p)) % self.decimation
            out = self.buffer(len(kept), np.float32, (self.size,))
            out[:] = kept
            db_in_place(out.reshape(-1), np.float32(1e-30))
        if self.shift:
            out[:] = np.fft.fftshift(out, axes=1)
        return out
