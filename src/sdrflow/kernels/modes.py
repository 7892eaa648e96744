"""Mode S (1090 MHz) at 2 Msps: preamble search, bit slicing, CRC-24."""
import numpy as np

from ._jit import kernel

POLY = 0xFFF409  # Mode S CRC-24 generator (x^24 + ... + 1, leading term implied)


def _table():
    t = np.zeros(256, np.uint32)
    for b in range(256):
        c = b << 16
        for _ in range(8):
            c = ((c << 1) ^ POLY) if c & 0x800000 else c << 1
        t[b] = c & 0xFFFFFF
    return t


CRC_TABLE = _table()


@kernel(["uint32(uint8[::1], intp, uint32[::1])"])
def crc24(data, nbytes, table):
    """CRC-24 of the first ``nbytes`` bytes (MSB first)."""
    c = np.uint32(0)
    for i in range(nbytes):
        c = ((c << np.uint32(8)) & np.uint32(0xFFFFFF)) ^ table[((c >> np.uint32(16)) ^ data[i]) & np.uint32(0xFF)]
    return np.uint32(c)


#: Halves of a bit closer than this (in |x| of cu8 scaled to ±1) are too close to call:
#: dump1090's 256 in its magnitude units (360·√(I²+Q²) of raw bytes).
NEAR = np.float32(256 / (360 * 127.5))


#: Bit d set for each downlink format a receiver keeps (DF 0, 4, 5, 11, 16, 17, 18, 20, 21, 24).
_KNOWN_DF = sum(1 << d for d in (0, 4, 5, 11, 16, 17, 18, 20, 21, 24))


@kernel(["uint32(uint8[::1], uint32[::1])"])
def _residual(frame, table):
    """CRC of the frame's data part XOR its parity field, for its length (56 bits if DF < 16):
    zero for a good frame, the address for formats that carry it in the parity."""
    nbytes = 14 if (frame[0] >> 3) >= 16 else 7
    parity = (np.uint32(frame[nbytes - 3]) << np.uint32(16)) | (np.uint32(frame[nbytes - 2]) << np.uint32(8)) | np.uint32(frame[nbytes - 1])
    return np.uint32(crc24(frame, nbytes - 3, table) ^ parity)


@kernel(["void(float32[::1], intp, uint8[::1])"])
def _slice(mag, start, out):
    """112 bits from the half-µs samples mag[start], mag[start + 1], …: a bit is 1 when its
    first half is the larger; halves closer than ``NEAR`` repeat the previous bit, as dump1090
    decides them."""
    one = False
    for b in range(14):
        v = 0
        for k in range(8):
            i = start + 2 * (8 * b + k)
            first, second = mag[i], mag[i + 1]
            if 8 * b + k == 0 or abs(first - second) >= NEAR:
                one = first > second
            v = (v << 1) | (1 if one else 0)
        out[b] = v


@kernel(["void(float32[::1], intp, float32[::1])"])
def _phase_corrected(mag, j, out):
    """The 224 data samples of the candidate at ``j``, corrected for a sampling phase that
    puts part of each pulse into the neighbouring sample (dump1090's, after Oliver Jowett).
    Energy just before the preamble's pulses (samples −1 and 6) says the samples run late,
    just after them (3 and 10) early; the fraction f = leak / (leak + pulses) then scales each
    sample next to a decided bit: by 1 − f where a pulse leaked into it, by 1 + f where it
    lost energy to a gap. Late: walked backwards, each bit correcting the sample before it;
    early: forwards, each bit correcting the one after."""
    for i in range(224):
        out[i] = mag[j + 16 + i]
    on = mag[j] + mag[j + 2] + mag[j + 7] + mag[j + 9]
    early = (mag[j - 1] + mag[j + 6]) * 2
    late = (mag[j + 3] + mag[j + 10]) * 2
    if early > late:
        f = early / (early + on)
        out[223] *= 1 + f
        for k in range(222, 0, -2):
            out[k - 1] *= (1 - f) if out[k] > out[k + 1] else (1 + f)
    else:
        f = late / (late + on)
        out[0] *= 1 + f
        for k in range(0, 222, 2):
            out[k + 2] *= (1 + f) if out[k] > out[k + 1] else (1 - f)


@kernel(["intp(float32[::1], intp, uint32[::1], uint8[:, ::1], intp[::1], uint32[::1])"])
def find_frames(mag, limit, table, frames, positions, residuals):
    """Candidate frames at every position 1 ≤ j < ``limit`` (``mag[0]`` is the sample before
    the first) whose 8 µs preamble (pulses at 0, 1, 3.5 and 4.5 µs = samples 0, 2, 7, 9 at
    2 Msps) stands out, as dump1090 tests it. Each candidate is sliced into a row of
    ``frames`` (see ``_slice``): 112 bits from sample j + 16 as the samples are; when their CRC
    fails, a second row from the phase-corrected samples (``_phase_corrected``), which
    recovers frames whose pulses straddle two samples. Rows whose downlink format is none of
    Mode S's (``_KNOWN_DF``) are left out. Each row gets its position and its CRC residual
    (``_residual``). Returns the number of rows written (at most len(positions))."""
    count = 0
    corrected = np.empty(224, np.float32)
    # dump1090's preamble test for a tile of positions at once: every comparison for every
    # position, combined without branches, so the pass vectorises; only the rare positions
    # that pass go on to be sliced. (Tested one by one, noise makes the branches unpredictable.)
    T = 4096
    maybe = np.empty(T, np.bool_)
    for t0 in range(1, limit, T):
        n = min(T, limit - t0)
        a0, a1, a2, a3 = mag[t0:t0 + n], mag[t0 + 1:t0 + 1 + n], mag[t0 + 2:t0 + 2 + n], mag[t0 + 3:t0 + 3 + n]
        a4, a5, a6 = mag[t0 + 4:t0 + 4 + n], mag[t0 + 5:t0 + 5 + n], mag[t0 + 6:t0 + 6 + n]
        a7, a8, a9 = mag[t0 + 7:t0 + 7 + n], mag[t0 + 8:t0 + 8 + n], mag[t0 + 9:t0 + 9 + n]
        a11, a12 = mag[t0 + 11:t0 + 11 + n], mag[t0 + 12:t0 + 12 + n]
        a13, a14 = mag[t0 + 13:t0 + 13 + n], mag[t0 + 14:t0 + 14 + n]
        for i in range(n):
            m0 = a0[i]
            high = (m0 + a2[i] + a7[i] + a9[i]) / 6
            maybe[i] = ((m0 > a1[i]) & (a1[i] < a2[i]) & (a2[i] > a3[i]) & (a3[i] < m0)
                        & (a4[i] < m0) & (a5[i] < m0) & (a6[i] < m0)
                        & (a7[i] > a8[i]) & (a8[i] < a9[i]) & (a9[i] > a6[i])
                        & (a4[i] < high) & (a5[i] < high) & (a11[i] < high) & (a12[i] < high)
                        & (a13[i] < high) & (a14[i] < high))
        for i in range(n):
            if not maybe[i]:
                continue
            j = t0 + i
            if count + 2 > positions.shape[0]:
                return count  # no room for another candidate's rows
            _slice(mag, j + 16, frames[count])
            residual = _residual(frames[count], table)
            if _KNOWN_DF >> (frames[count, 0] >> 3) & 1:
                residuals[count] = residual
                positions[count] = j
                count += 1
            if residual != 0:  # not good as sampled: slice the phase-corrected samples too
                _phase_corrected(mag, j, corrected)
                _slice(corrected, 0, frames[count])
                if _KNOWN_DF >> (frames[count, 0] >> 3) & 1:
                    residuals[count] = _residual(frames[count], table)
                    positions[count] = j
                    count += 1
    return count


@kernel(["intp(complex64[::1], float32[:, ::1], float32[::1])"], fastmath={"reassoc", "contract"})
def magnitude_2msps(x, poly_rev, out):
    """|x| brought from 2.4 to 2 Msps in one pass: the polyphase resampler by 5/6
    (``poly_rev`` = ``polyphase(taps, 5)``, M taps a phase) fused with the magnitude. Output
    5m + r is Σ_j poly_rev[r, j] · x[6m + r + j] (r·6 // 5 = r for r < 5), so the first M − 1
    items of ``x`` are the history. Returns the periods done (5 outputs each, 6 inputs
    consumed each).

    The input is first split, a tile of periods at a time, into its six phases
    x_q[k] = x[6k + q] (real and imaginary parts apart); then x[6m + r + j] is
    x_{(r+j) mod 6}[m + (r+j) div 6], so every tap is a multiply-add over contiguous floats
    for all the periods of the tile at once, which vectorises."""
    M = poly_rev.shape[1]
    # period m reads up to x[6m + 4 + M − 1]
    periods = (x.shape[0] - M - 4) // 6 + 1 if x.shape[0] >= M + 4 else 0
    T = 512
    extra = (M + 4) // 6 + 1  # periods of input past the tile that its last outputs read
    W = T + extra
    re = np.empty(6 * W, np.float32)  # phase q at re[q·W …], flat so its slices vectorise
    im = np.empty(6 * W, np.float32)
    acc_re = np.empty(T, np.float32)
    acc_im = np.empty(T, np.float32)
    mags = np.empty(5 * T, np.float32)
    n_in = x.shape[0]
    f = x.view(np.float32)
    for m0 in range(0, periods, T):
        n = min(T, periods - m0)
        whole = min(n + extra, (n_in - 6 * m0) // 6)  # periods of input wholly in x
        for k in range(whole):
            base = 12 * (m0 + k)
            for q in range(6):
                re[q * W + k] = f[base + 2 * q]
                im[q * W + k] = f[base + 2 * q + 1]
        for k in range(whole, n + extra):  # the end of x: what is missing reads as 0
            for q in range(6):
                i = 6 * (m0 + k) + q
                re[q * W + k] = x[i].real if i < n_in else 0.0
                im[q * W + k] = x[i].imag if i < n_in else 0.0
        for r in range(5):
            for k in range(n):
                acc_re[k] = 0.0
                acc_im[k] = 0.0
            j = 0
            while j + 4 <= M:  # four taps a pass: fewer loads and stores of the sums
                s0 = ((r + j) % 6) * W + (r + j) // 6
                s1 = ((r + j + 1) % 6) * W + (r + j + 1) // 6
                s2 = ((r + j + 2) % 6) * W + (r + j + 2) // 6
                s3 = ((r + j + 3) % 6) * W + (r + j + 3) // 6
                h0, h1, h2, h3 = poly_rev[r, j], poly_rev[r, j + 1], poly_rev[r, j + 2], poly_rev[r, j + 3]
                r0, r1, r2, r3 = re[s0:s0 + n], re[s1:s1 + n], re[s2:s2 + n], re[s3:s3 + n]
                i0, i1, i2, i3 = im[s0:s0 + n], im[s1:s1 + n], im[s2:s2 + n], im[s3:s3 + n]
                for k in range(n):
                    acc_re[k] += (h0 * r0[k] + h1 * r1[k]) + (h2 * r2[k] + h3 * r3[k])
                    acc_im[k] += (h0 * i0[k] + h1 * i1[k]) + (h2 * i2[k] + h3 * i3[k])
                j += 4
            while j < M:
                start = ((r + j) % 6) * W + (r + j) // 6
                h = poly_rev[r, j]
                src_re = re[start:start + n]
                src_im = im[start:start + n]
                for k in range(n):
                    acc_re[k] += h * src_re[k]
                    acc_im[k] += h * src_im[k]
                j += 1
            mr = mags[r * T:r * T + n]  # contiguous, so the square roots vectorise
            for k in range(n):
                mr[k] = np.sqrt(acc_re[k] * acc_re[k] + acc_im[k] * acc_im[k])
        for k in range(n):
            o = 5 * (m0 + k)
            for r in range(5):
                out[o + r] = mags[r * T + k]
    return periods
