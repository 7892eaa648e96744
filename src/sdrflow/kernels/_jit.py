"""The one decorator every kernel uses."""
import sys

import numba
import numba.core.event


class _SayCompiling(numba.core.event.Listener):
    """Writes one line on stderr the first time Numba really compiles an sdrflow kernel (a
    cache miss: loading from the cache raises no "numba:compile" event), so a first run's wait
    is explained and a warm run stays quiet."""

    told = False

    def on_start(self, event):
        data = event.data if isinstance(event.data, dict) else {}
        func = getattr(data.get("dispatcher"), "py_func", None)
        if not self.told and getattr(func, "__module__", "").startswith("sdrflow."):
            type(self).told = True
            sys.stderr.write("sdrflow: compiling Numba kernels for this machine (first use only; "
                             "cached afterwards)…\n")

    def on_end(self, event):
        pass


numba.core.event.register("numba:compile", _SayCompiling())


def kernel(signatures, fastmath=False):
    """Compile for the ``signatures`` a kernel is called with, cache on disk, release the GIL.

    ``signatures`` are the argument types the kernel is made for. Numba compiles (or loads
    from its cache) one signature the first time the kernel is called with its types, so a
    graph pays only for the ones its blocks use (compiling every declared signature at import
    compiled all four of ``fir_decimate``'s where the FM receiver calls two). The test suite
    checks at its end that every signature compiled is a declared one (tests/conftest.py), so
    a call site passing other types (a Python float for a float32) fails there instead of
    compiling a float64 variant quietly. ``nogil`` lets worker threads run kernels in
    parallel. ``fastmath`` takes only explicit flags (e.g. ``{"reassoc", "contract"}`` for
    SIMD dot products), never ``nnan``/``ninf``. The first compile (a kernel not in the
    cache) says so on stderr, once (``_SayCompiling``)."""
    def decorate(func):
        dispatcher = numba.njit(cache=True, nogil=True, fastmath=fastmath or False)(func)
        dispatcher.declared = tuple(signatures)
        return dispatcher
    return decorate
