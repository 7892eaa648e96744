"""Helpers for testing blocks: run one block on arrays, and check chunking changes nothing."""
from __future__ import annotations

import numpy as np

from .block import Block, Port, StreamType
from .flowgraph import Flowgraph


class _ChunkedSource(Block):
    """Plays an array in chunks of the given sizes (cycled), to exercise block state."""

    def __init__(self, data, rate, sizes):
        self.data, self.sample_rate, self.sizes = data, rate, list(sizes)
        vlen = data.shape[1] if data.ndim == 2 else 1
        self.outputs = [Port("out", StreamType(data.dtype, vlen))]

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        self._pos, self._k = 0, 0

    def work(self, n):
        if self._pos >= len(self.data):
            return None
        size = self.sizes[self._k % len(self.sizes)]
        self._k += 1
        part = self.data[self._pos:self._pos + min(n, size)]
        out = self.buffer(len(part), part.dtype, part.shape[1:])
        out[:] = part
        self._pos += len(out)
        return out


def _as_stream(x):
    x = np.ascontiguousarray(x)
    if x.dtype == np.complex128:
        return x.astype(np.complex64)
    if x.dtype == np.float64:
        return x.astype(np.float32)
    return x


def run_block(block: Block, inputs, rate: float = 1.0, chunks=None, threads: int = 1):
    """Run ``block`` on ``inputs`` (one array, or a list for several inputs) at ``rate`` Hz.

    ``chunks`` is a list of chunk sizes the sources cycle through (default: whole input).
    Returns the output array, or a list of arrays for several outputs (None for sinks)."""
    from sdrflow.blocks import VectorSink

    arrays = [inputs] if not isinstance(inputs, (list, tuple)) else list(inputs)
    arrays = [_as_stream(a) for a in arrays]
    longest = max(len(a) for a in arrays)
    fg = Flowgraph(chunk=max(longest, 1), threads=threads)
    sizes = chunks or [max(longest, 1)]
    for i, a in enumerate(arrays):
        fg.connect(_ChunkedSource(a, rate, sizes), (block, i))
    sinks = [VectorSink() for _ in block.outputs]
    for o, sink in enumerate(sinks):
        fg.connect((block, o), sink)
    if not sinks:
        fg.add(block)
    fg.run()
    outs = [s.data for s in sinks]
    if not outs:
        return None
    return outs[0] if len(outs) == 1 else outs


def assert_chunk_invariant(make_block, inputs, rate: float = 1.0, seed: int = 0, rtol=1e-6,
                           atol=1e-6):
    """Whole input, one-item chunks and random chunks must give the same output.

    ``make_block`` builds a fresh block (blocks keep state). One-item chunks run on at most the
    first 2000 items to keep the test quick."""
    arrays = [inputs] if not isinstance(inputs, (list, tuple)) else list(inputs)
    whole = run_block(make_block(), arrays, rate)
    rng = np.random.default_rng(seed)
    sizes = list(rng.integers(1, max(2, len(arrays[0]) // 3), size=64))
    random = run_block(make_block(), arrays, rate, chunks=sizes)
    _same(whole, random, "random chunks", rtol, atol)
    short = [a[:2000] for a in arrays]
    whole_short = run_block(make_block(), short, rate)
    single = run_block(make_block(), short, rate, chunks=[1])
    _same(whole_short, single, "one-item chunks", rtol, atol)
    return whole


def _same(a, b, what, rtol, atol):
    a_list = a if isinstance(a, list) else [a]
    b_list = b if isinstance(b, list) else [b]
    for x, y in zip(a_list, b_list):
        if x is None and y is None:
            continue
        assert len(x) == len(y), f"{what}: {len(y)} items instead of {len(x)}"
        np.testing.assert_allclose(y, x, rtol=rtol, atol=atol, err_msg=f"{what} differ")
