import numpy as np
import scipy.fft

from sdrflow.block import COMPLEX64, Block, Interpolate, Port, StreamType


class IFFT(Block):
    """Inverse FFT: each vector of ``size`` bins becomes ``size`` samples of a stream.

    ``x[n] = (1/size) · Σ_k X[k] · exp(j·2π·k·n/size)`` (numpy's ``ifft``), so ``IFFT`` after
    ``FFT(size, window="boxcar", shift=False)`` gives the stream back. With ``shift=True`` the
    input has 0 Hz in the middle (as ``FFT(shift=True)`` and displays have it).

    Signature: complex64[size] -> complex64

    Parameters
    ----------
    size : int
        FFT length (the input vector length).
    shift : bool
        The input bins are fftshifted (0 Hz in the middle).

    Example: ``IFFT(1024)``
    """

    outputs = [Port("out", COMPLEX64)]

    def __init__(self, size: int = 1024, shift: bool = False):
        if isinstance(size, bool) or int(size) != size or size < 2:
            raise ValueError(f"IFFT: size must be a whole number >= 2, got {size!r}")
        self.size, self.shift = int(size), bool(shift)
        self.inputs = [Port("in", StreamType(np.complex64, self.size))]
        self.rate_rule = Interpolate(self.size)
        self.cost = 5 * np.log2(self.size)

    def work(self, spectra):
        bins = np.fft.ifftshift(spectra, axes=1) if self.shift else spectra
        out = self.buffer(len(spectra) * self.size, np.complex64)
        out.reshape(len(spectra), self.size)[:] = scipy.fft.ifft(bins, axis=1)
        return out
