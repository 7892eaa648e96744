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
    """Compile for the ``signatures`` a kernel is called with, cache on disk, release the GIL.

    ``signatures`` are the argument types the kernel is made for. Numba compiles (or loads
    from its cache) one signature the first time the kernel is called with its types, so a
    graph pays only for the ones its blocks use (compiling every declared signature at import
    compiled all four of ``fir_decimate``'s where the FM receiver calls two). The test suite checks at its end that every
    signature compiled is a declared one (tests/conftest.py), so a call site passing other
    types (a Python float for a float32) fails there instead of compiling a float64 variant
    quietly. ``nogil`` lets worker threads run kernels in parallel. ``fastmath`` takes only
    explicit flags (e.g. ``{"reassoc", "contract"}`` for SIMD dot products), never
    ``nnan``/``ninf``. The first time a kernel is not in the cache, one line on stderr says
    what the wait is."""
    def decorate(func):
        global _told
        if not _told and not _cached(func):
            _told = True
            sys.stderr.write("sdrflow: compiling Numba kernels for this machine (first use only; "
                             "cached afterwards)…\n")
        dispatcher = numba.njit(cache=True, nogil=True, fastmath=fastmath or False)(func)
        dispatcher.declared = tuple(signatures)
        return dispatcher
    return decorate
