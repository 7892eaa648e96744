"""sdrflow: software-defined radio flowgraphs in plain Python with Numba kernels.

The names below load on first use, so ``import sdrflow`` (and the ``sdrflow`` command until it
runs its ``main``, where Ctrl-C is caught) does not wait for numpy."""
import importlib

__version__ = "0.1.0"

_HOMES = {
    ".block": ["ANY", "COMPLEX64", "FLOAT32", "INT8", "INT16", "MESSAGE", "NUMERIC", "SAME", "SYNC",
               "FREE", "UINT8", "Block", "Decimate", "HierBlock", "Interpolate", "Port", "Rate",
               "Rational", "StreamType"],
    ".errors": ["BlockError", "GraphError", "SourceFailed"],
    ".flowgraph": ["Flowgraph"],
    ".tags": ["Tag"],
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = list(_HOME)


def __getattr__(name):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'sdrflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_HOME))
