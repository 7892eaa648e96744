"""Forward FFTs of many frames of one size, in place, for ``FFT`` and ``Spectrum``.

With pyfftw installed (extra ``fftw``) they run on FFTW, as GNU Radio's do, planned once per
block for batches of a few frames that stay in the CPU cache. Up to ``MEASURED`` points the
plan is measured (``FFTW_MEASURE``: 0.15 s at start for 1024 points, 0.35 s for 4096, nothing
for a size the process has planned before), which here makes 1024 points 2.8 ns a point
against pocketfft's 6–7; larger sizes are memory-bound, where a measured plan gains nothing
and takes seconds to make, so they are estimated. Without pyfftw, scipy.fft."""
import numpy as np
import scipy.fft

MEASURED = 8192  # largest size planned with FFTW_MEASURE


def batch_for(size: int) -> int:
    """Frames per FFTW call: about 64 KB of them."""
    return max(1, min(8, 8192 // size))


def fftw_available() -> bool:
    try:
        import pyfftw  # noqa: F401
    except ImportError:
        return False
    return True


class FrameFFT:
    """``frames(count)`` gives a (count, size) complex64 array to fill; ``transform(a)``
    replaces each row of such an array by its FFT and returns it. ``use_fftw`` None: FFTW
    when pyfftw is installed; False: scipy.fft."""

    def __init__(self, size: int, use_fftw: bool | None = None):
        self.size = int(size)
        self.fftw = fftw_available() if use_fftw is None else bool(use_fftw)
        self._buf = np.zeros((0, self.size), np.complex64)
        if self.fftw:
            import pyfftw

            self._pyfftw = pyfftw
            self.batch = batch_for(self.size)
            flags = ("FFTW_MEASURE" if self.size <= MEASURED else "FFTW_ESTIMATE", "FFTW_DESTROY_INPUT")
            if self.size * self.batch % 8:  # batches would not all start 64-byte aligned
                flags += ("FFTW_UNALIGNED",)
            batch = pyfftw.empty_aligned((self.batch, self.size), "complex64")
            self._batch = pyfftw.FFTW(batch, batch, axes=(1,), threads=1, flags=flags)
            # What is left over after whole batches goes through the same plan in this spare
            # batch: every frame sees the same arithmetic, so the output does not depend on
            # how the stream was cut into calls.
            self._spare = pyfftw.empty_aligned((self.batch, self.size), "complex64")

    def frames(self, count: int) -> np.ndarray:
        if len(self._buf) < count:
            shape = (max(count, 1), self.size)
            self._buf = (self._pyfftw.empty_aligned(shape, "complex64") if self.fftw
                         else np.empty(shape, np.complex64))
        return self._buf[:count]

    def transform(self, a: np.ndarray) -> np.ndarray:
        if not self.fftw:
            return scipy.fft.fft(a, axis=1, overwrite_x=True)
        batch = self.batch
        full = len(a) - len(a) % batch
        plan = self._batch
        for b0 in range(0, full, batch):  # rows b0·size·8 bytes in: aligned as planned
            block = a[b0:b0 + batch]
            plan.update_arrays(block, block)
            plan.execute()
        left = len(a) - full
        if left:
            spare = self._spare
            spare[:left] = a[full:]
            plan.update_arrays(spare, spare)
            plan.execute()
            a[full:] = spare[:left]
        return a
