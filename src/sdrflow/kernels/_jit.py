"""The one decorator every kernel uses."""
import os
import sys

import numba

_told = False


def _cached(func) -> bool:
    """Whether Numba's on-disk cache holds this function (its index file exists)."""
    code = func.__code__
    folder = os.path.join(os.path.dirname(code.co_filename), "__pycache__")
    stem = os.path.splitext(os.path.basename(code.co_filename))[0]
    ver = f"py{sys.version_info.major}{sys.version_info.minor}"
    return os.path.exists(os.path.join(folder, f"{stem}.{func.__qualname__}-{code.co_firstlineno}.{ver}.nbi"))


def kernel(signatures, fastmath=False):
    """Compile eagerly for explicit ``signatures``, cache on disk, release the GIL.

    Eager compilation means nothing compiles inside the first live chunk; ``nogil`` lets worker
    threads run kernels in parallel. ``fastmath`` takes only explicit flags (e.g.
    ``{"reassoc", "contract"}`` for SIMD dot products), never ``nnan``/``ninf``. The first time
    a kernel is not in the cache, one line on stderr says what the wait is."""
    def decorate(func):
        global _told
        if not _told and not _cached(func):
            _told = True
            sys.stderr.write("sdrflow: compiling Numba kernels for this machine (first use only; "
                             "cached afterwards)…\n")
        return numba.njit(signatures, cache=True, nogil=True, fastmath=fastmath or False)(func)
    return decorate
