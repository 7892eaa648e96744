"""The one decorator every kernel uses."""
import numba


def kernel(signatures, fastmath=False):
    """Compile eagerly for explicit ``signatures``, cache on disk, release the GIL.

    Eager compilation means nothing compiles inside the first live chunk; ``nogil`` lets worker
    threads run kernels in parallel. ``fastmath`` takes only explicit flags (e.g.
    ``{"reassoc", "contract"}`` for SIMD dot products), never ``nnan``/``ninf``."""
    return numba.njit(signatures, cache=True, nogil=True, fastmath=fastmath or False)
