"""Conversion and arithmetic blocks against numpy, in any chunking."""
import numpy as np
import pytest

from sdrflow import Flowgraph
from sdrflow.blocks import (Add, AddConst, ComplexToFloat, ComplexToIQ, ComplexToMagPhase,
                            Conjugate, Decibels, Deinterleave, FloatToComplex, Interleave,
                            IQToComplex, MagPhaseToComplex, MagSquared, Multiply, StreamToVector, VectorSink,
                            VectorSource, VectorToStream)
from sdrflow.testing import assert_chunk_invariant, run_block

rng = np.random.default_rng(9)
X = (0.4 * (rng.standard_normal(3000) + 1j * rng.standard_normal(3000))).astype(np.complex64)
F = rng.standard_normal(3000).astype(np.float32)


@pytest.mark.parametrize("fmt, dtype, ref", [
    ("cu8", np.uint8, lambda b: (b.astype(float) - 127.5) / 127.5),
    ("cs8", np.int8, lambda b: b / 128),
    ("cs16", np.int16, lambda b: b / 32768),
])
def test_iq_to_complex_and_back(fmt, dtype, ref):
    info = np.iinfo(dtype)
    raw = rng.integers(info.min, info.max + 1, 4001, dtype=dtype)  # odd: last byte waits
    y = assert_chunk_invariant(lambda: IQToComplex(fmt), raw, rate=2e6)
    r = ref(raw[:4000])
    np.testing.assert_allclose(y, r[0::2] + 1j * r[1::2], rtol=1e-6, atol=1e-7)
    back = assert_chunk_invariant(lambda: ComplexToIQ(fmt), y.astype(np.complex64), rate=1e6)
    np.testing.assert_array_equal(back, raw[:4000])


def test_complex_iq_clips_to_the_format():
    y = run_block(ComplexToIQ("cu8"), np.array([2 + 2j, -2 - 2j], np.complex64))
    np.testing.assert_array_equal(y, [255, 255, 0, 0])


def test_complex_parts_and_back():
    re, im = assert_chunk_invariant(lambda: ComplexToFloat(), X)
    np.testing.assert_array_equal(re, X.real)
    np.testing.assert_array_equal(im, X.imag)
    np.testing.assert_array_equal(assert_chunk_invariant(lambda: FloatToComplex(), [re, im]), X)
    mag, phase = assert_chunk_invariant(lambda: ComplexToMagPhase(), X)
    np.testing.assert_allclose(mag, np.abs(X), rtol=1e-6)
    np.testing.assert_allclose(phase, np.angle(X), rtol=1e-6, atol=1e-6)
    back = assert_chunk_invariant(lambda: MagPhaseToComplex(), [mag, phase])
    np.testing.assert_allclose(back, X, rtol=1e-5, atol=1e-6)


def test_interleave_and_deinterleave():
    a, b, c = F[:1000], F[1000:2000], F[2000:]
    y = assert_chunk_invariant(lambda: Interleave(3), [a, b, c])
    np.testing.assert_array_equal(y, np.stack([a, b, c], 1).ravel())
    parts = assert_chunk_invariant(lambda: Deinterleave(3), y)
    for got, want in zip(parts, (a, b, c)):
        np.testing.assert_array_equal(got, want)


def test_stream_to_vector_and_back():
    frames = assert_chunk_invariant(lambda: StreamToVector(64), X)
    assert frames.shape == (len(X) // 64, 64)
    np.testing.assert_array_equal(frames, X[:len(frames) * 64].reshape(-1, 64))
    fg = Flowgraph(chunk=100)
    sink = VectorSink()
    fg.connect(VectorSource(X, rate=6400), StreamToVector(64), VectorToStream(64), sink)
    fg.run()
    np.testing.assert_array_equal(sink.data, X[:len(X) // 64 * 64])
    assert sink.rate_seen == pytest.approx(6400)


def test_vector_length_mismatch_is_refused():
    fg = Flowgraph()
    fg.connect(VectorSource(X, rate=1), StreamToVector(64), VectorToStream(32), VectorSink())
    with pytest.raises(ValueError, match="input vectors have 64 elements, not 32"):
        fg.start()


def test_add_and_multiply_streams():
    np.testing.assert_allclose(assert_chunk_invariant(lambda: Add(3), [X, 2 * X, X]), 4 * X, rtol=1e-6)
    np.testing.assert_allclose(assert_chunk_invariant(lambda: Multiply(), [X, X]), X * X, rtol=1e-6)
    with pytest.raises(ValueError, match="n must be a whole number >= 2"):
        Add(1)
    fg = Flowgraph()
    add = Add()
    fg.connect(VectorSource(X, rate=1), (add, 0))
    fg.connect(VectorSource(F, rate=1), (add, 1))
    fg.connect(add, VectorSink())
    with pytest.raises(ValueError, match="all inputs must have one type"):
        fg.start()


def test_add_const_conjugate_power_and_decibels():
    np.testing.assert_allclose(assert_chunk_invariant(lambda: AddConst(1 - 2j), X), X + (1 - 2j), rtol=1e-6)
    np.testing.assert_array_equal(assert_chunk_invariant(lambda: Conjugate(), X), np.conj(X))
    p = assert_chunk_invariant(lambda: MagSquared(), X)
    np.testing.assert_allclose(p, np.abs(X) ** 2, rtol=1e-5)
    db = assert_chunk_invariant(lambda: Decibels(), p)
    np.testing.assert_allclose(db, 10 * np.log10(p), rtol=1e-5, atol=1e-5)
    amp = run_block(Decibels(amplitude=True), np.array([0.0, 0.1, 1.0], np.float32))
    np.testing.assert_allclose(amp, [-400, -20, 0], atol=1e-4)
    frames = np.abs(X[:1024]).reshape(4, 256).astype(np.float32)
    np.testing.assert_allclose(run_block(Decibels(), frames), 10 * np.log10(frames), rtol=1e-5, atol=1e-5)


def test_multiply_and_add_work_on_vector_streams():
    from sdrflow import Flowgraph
    from sdrflow.blocks import Add, FFT, Multiply, StreamToVector, VectorSink, VectorSource
    from sdrflow.errors import GraphError

    rng = np.random.default_rng(5)
    x = (rng.standard_normal(64 * 40) + 1j * rng.standard_normal(64 * 40)).astype(np.complex64)
    mask = np.tile((np.arange(64) < 16).astype(np.complex64), 40)  # keep the first 16 bins
    for op, ref in ((Multiply, np.multiply), (Add, np.add)):
        fg, block, sink = Flowgraph(chunk=7 * 64), op(), VectorSink()
        fg.connect(VectorSource(x, rate=1.0), FFT(64, window="rectangular"), (block, 0))
        fg.connect(VectorSource(mask, rate=1.0), StreamToVector(64), (block, 1))
        fg.connect(block, sink)
        fg.run()
        frames = np.fft.fft(x.reshape(40, 64), axis=1)
        assert sink.data.shape == (40, 64)
        np.testing.assert_allclose(sink.data, ref(frames, mask.reshape(40, 64)), rtol=1e-4, atol=1e-3)
    fg, m = Flowgraph(), Multiply()
    fg.connect(VectorSource(x, rate=1.0), StreamToVector(4), (m, 0))
    fg.connect(VectorSource(x, rate=1.0), StreamToVector(2), (m, 1))
    fg.connect(m, VectorSink())
    with pytest.raises((ValueError, GraphError), match="vectors of one length"):
        fg.run()
