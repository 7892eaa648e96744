"""sdrflow: software-defined radio flowgraphs in plain Python with Numba kernels."""
from .block import (ANY, COMPLEX64, FLOAT32, INT8, INT16, MESSAGE, NUMERIC, SAME, SYNC, FREE, UINT8,
                    Block, Decimate, HierBlock, Interpolate, Port, Rate, Rational, StreamType)
from .errors import BlockError, GraphError, SourceFailed
from .flowgraph import Flowgraph
from .tags import Tag

__version__ = "0.1.0"

__all__ = ["Block", "HierBlock", "Flowgraph", "GraphError", "BlockError", "SourceFailed", "Port", "StreamType",
           "Rate", "SYNC", "FREE", "Decimate", "Interpolate", "Rational", "Tag", "COMPLEX64",
           "FLOAT32", "INT16", "INT8", "UINT8", "NUMERIC", "MESSAGE", "SAME", "ANY"]
