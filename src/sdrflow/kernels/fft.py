"""Spectrum helpers around the FFT: framing with a window, power in dB, averaging.

The FFT itself is scipy.fft (pocketfft, single precision kept); these kernels do the passes
before and after it without temporaries."""
import numpy as np

from ._jit import kernel

# log2(1 + u) ≈ u · Σ C[k]·u^k on 0 ≤ u < 1: least squares, |error| < 4e-7 (1e-6 dB).
_L = (1.442694529, -0.7213006249, 0.4799684784, -0.3530007466, 0.2552174503, -0.1545524284,
      0.06323622039, -0.01226325029)
_DB_PER_OCTAVE = 10 * np.log10(2.0)  # 10·log10(x) = 3.0103 · log2(x)


@kernel(["void(complex64[::1], float32[::1], intp, complex64[:, ::1])"])
def frames(x, window, hop, out):
    """out[f, k] = x[f·hop + k] · window[k] for every frame f that fits in x.

    Done on the floats of the complex numbers with each weight twice in a row (I and Q), so
    each frame is one contiguous float multiply, which vectorises."""
    size = window.shape[0]
    w2 = np.empty(2 * size, np.float32)
    for k in range(size):
        w2[2 * k] = window[k]
        w2[2 * k + 1] = window[k]
    xf = x.view(np.float32)
    of = out.reshape(out.shape[0] * size).view(np.float32)
    for f in range(out.shape[0]):
        src = xf[2 * f * hop:2 * f * hop + 2 * size]
        dst = of[2 * f * size:2 * (f + 1) * size]
        for i in range(2 * size):
            dst[i] = src[i] * w2[i]


@kernel(["void(float32[::1], float32)"], fastmath={"contract"})
def db_in_place(p, floor):
    """p[n] ← 10·log10(max(p[n], floor)), with a log2 that vectorises (error < 1e-5 dB).

    Each float32 is split into exponent and mantissa through its bits (IEEE 754); log2 of the
    mantissa comes from the polynomial above. ``floor`` must be a normal float32 (≥ 1.2e-38):
    the bit split does not hold for subnormal numbers."""
    bits = p.view(np.int32)
    for i in range(p.shape[0]):
        p[i] = max(p[i], floor)
    for i in range(p.shape[0]):
        b = bits[i]
        e = np.float32(((b >> 23) & 0xFF) - 127)
        bits[i] = (b & 0x7FFFFF) | 0x3F800000
        u = p[i] - np.float32(1.0)
        q = np.float32(_L[7])
        q = q * u + np.float32(_L[6])
        q = q * u + np.float32(_L[5])
        q = q * u + np.float32(_L[4])
        q = q * u + np.float32(_L[3])
        q = q * u + np.float32(_L[2])
        q = q * u + np.float32(_L[1])
        q = q * u + np.float32(_L[0])
        p[i] = np.float32(_DB_PER_OCTAVE) * (e + u * q)


@kernel(["void(complex64[::1], float32, float32[::1])"], fastmath={"contract"})
def power(X, scale, out):
    """out[n] = scale·|X[n]|²."""
    for i in range(X.shape[0]):
        v = X[i]
        out[i] = scale * (v.real * v.real + v.imag * v.imag)


@kernel(["void(float32[:, ::1], float32, float32[::1], float32[:, ::1])"])
def average_exponential(p, alpha, acc, out):
    """acc ← alpha·p[f] + (1 − alpha)·acc for each frame f in turn; out[f] = acc after it."""
    for f in range(p.shape[0]):
        for k in range(p.shape[1]):
            acc[k] = alpha * p[f, k] + (np.float32(1.0) - alpha) * acc[k]
            out[f, k] = acc[k]


@kernel(["intp(float32[:, ::1], intp, float32[::1], intp[::1], float32[:, ::1])"])
def average_blocks(p, n, acc, count, out):
    """Mean of every ``n`` consecutive frames: frames add into ``acc`` (``count[0]`` so far);
    each n-th frame writes the mean to the next row of ``out``. Returns the rows written."""
    rows = 0
    for f in range(p.shape[0]):
        for k in range(p.shape[1]):
            acc[k] += p[f, k]
        count[0] += 1
        if count[0] == n:
            for k in range(p.shape[1]):
                out[rows, k] = acc[k] / n
                acc[k] = 0.0
            count[0] = 0
            rows += 1
    return rows
