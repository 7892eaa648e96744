import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Decimate, Port, StreamType
from sdrflow.kernels.fft import frames

from ._fftw import FrameFFT


class FFT(Block):
    """Windowed FFT frames with overlap: ``X_f[k] = Σ_n x[f·hop + n] · w[n] · e^{−j2πkn/size}``
    with ``hop = size − overlap``.

    Signature: complex64 -> complex64[size], float32 -> complex64[size]

    Parameters
    ----------
    size : int
        FFT length.
    window : str
        A ``scipy.signal.get_window`` name: ``blackmanharris`` (default), ``hann``,
        ``hamming``, ``boxcar``, ``flattop`` …
    overlap : int
        Items shared by consecutive frames (0 ≤ overlap < size).
    shift : bool
        Put 0 Hz in the middle of each frame (``fftshift``): bins run from −rate/2 up.

    The transforms run on FFTW when pyfftw is installed (extra ``fftw``), else on scipy.fft.

    Example: ``FFT(1024, overlap=512)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]

    def __init__(self, size: int = 1024, window: str = "blackmanharris", overlap: int = 0,
                 shift: bool = False):
        if int(size) != size or size < 2:
            raise ValueError(f"{type(self).__name__}: size must be a whole number >= 2, got {size!r}")
        if int(overlap) != overlap or not 0 <= overlap < size:
            raise ValueError(f"{type(self).__name__}: overlap must be in [0, size), got {overlap!r}")
        from scipy.signal import get_window

        try:
            self.window = get_window(window, int(size), fftbins=True).astype(np.float32)
        except ValueError as e:
            raise ValueError(f"{type(self).__name__}: unknown window {window!r}: {e}") from e
        self.size, self.hop, self.shift = int(size), int(size - overlap), bool(shift)
        self.rate_rule = Decimate(self.hop)
        self.outputs = [Port("out", StreamType(np.complex64, self.size))]
        self.cost = 5 * np.log2(self.size)

    def start(self, rate):
        self._held = 0  # items at the front of the scratch buffer left from the last call
        self._fft = FrameFFT(self.size)  # FFTW when pyfftw is installed, else scipy.fft

    def _spectra(self, x):
        """FFT of every frame completed by ``x`` (with the items held back from before)."""
        if x.dtype == np.float32:  # a real signal (an FM multiplex, audio): its two-sided spectrum
            as_complex = self.scratch(len(x), np.complex64, key="real")
            as_complex.real, as_complex.imag = x, 0
            x = as_complex
        if self._held:
            buf = self.scratch(self._held + len(x), np.complex64, key="joined")
            buf[:self._held] = self.scratch(self._held, np.complex64, key="held")
            buf[self._held:] = x
            x = buf
        count = 0 if len(x) < self.size else (len(x) - self.size) // self.hop + 1
        windowed = self._fft.frames(count)
        frames(x, self.window, self.hop, windowed)
        rest = x[count * self.hop:]
        self._held = len(rest)
        if self._held:
            self.scratch(self._held, np.complex64, key="held")[:] = rest
        return self._fft.transform(windowed)

    def work(self, x):
        spectra = self._spectra(x)
        out = self.buffer(len(spectra), np.complex64, (self.size,))
        if self.shift:
            half = self.size // 2
            out[:, :half] = spectra[:, self.size - half:]  # np.fft.fftshift, into the buffer
            out[:, half:] = spectra[:, :self.size - half]
        else:
            out[:] = spectra
        return out
