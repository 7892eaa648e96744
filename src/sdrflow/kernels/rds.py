"""RDS (IEC 62106) below the group level: biphase chips to bits, 26-bit blocks found by their
checkwords. Kernels only; the group fields are read in ``blocks/_rds.py``."""
import numpy as np

from ._jit import kernel

#: The checkword's generator polynomial x¹⁰ + x⁸ + x⁷ + x⁵ + x⁴ + x³ + 1.
POLY = 0x5B9


@kernel(["int64(int64)"])
def syndrome(block):
    """The 10-bit syndrome of a 26-bit block (16 data bits, then 10 check bits): the remainder
    of the whole block by ``POLY``. A block without errors has its offset word's syndrome."""
    reg = block
    for i in range(25, 9, -1):
        if reg >> i & 1:
            reg ^= POLY << (i - 10)
    return reg & 0x3FF


@kernel(["intp(float32[::1], float64, float64[::1], uint8[::1])"])
def biphase_bits(chips, decay, state, out):
    """Biphase (Manchester) soft chips to bits. A bit is two opposite chips, ``a`` then ``b``,
    and is 1 when ``a − b > 0``. Which chips pair up is not known, so both pairings are
    scored by ``(|a + b| − |a − b|) / (|a| + |b|)``: −1 for a pair of opposite chips, about 0
    on average for chips of two bits; the lower score, with a memory of about
    1 / (1 − ``decay``) pairs, is used; when the other takes over, the pair ending at that
    chip is a bit too. At most one bit a chip; returns the number written.

    ``state``: [previous chip, chips seen mod 2, score of pairing 0, of pairing 1, pairing in
    use] — zeros to start."""
    prev = state[0]
    parity = int(state[1])
    use = int(state[4])
    count = 0
    for i in range(chips.shape[0]):
        c = float(chips[i])
        p = 1 - parity  # the pairing whose pair would start at the previous chip
        size = abs(prev) + abs(c)
        if size > 0:
            state[2 + p] = state[2 + p] * decay + (abs(prev + c) - abs(prev - c)) / size
        if state[2 + 1 - use] + 2.0 < state[2 + use]:
            use = 1 - use  # the other pairing clearly looks more like bits
        if p == use:
            out[count] = 1 if prev - c > 0 else 0
            count += 1
        prev = c
        parity ^= 1
    state[0] = prev
    state[1] = parity
    state[4] = use
    return count


#: Place in the group (A B C D = 0 1 2 3) of each offset word, in ``OFFSETS`` order.
PLACE = np.array([0, 1, 2, 2, 3], np.int64)
#: The offset words A, B, C, C′, D added to a block's check bits; with ``syndrome`` as
#: defined here (a remainder), a block without errors has its offset word as its syndrome.
OFFSETS = np.array([0x0FC, 0x198, 0x168, 0x350, 0x1B4], np.int64)


@kernel(["intp(uint8[::1], int64[::1], int64[::1], uint16[::1], uint8[::1], uint8[::1])"])
def find_blocks(bits, place, state, words, kinds, good):
    """Blocks in a stream of data bits. Unsynchronised, every bit position is tried: two blocks
    whose syndromes are offset words in the right order (A B C D, C′ in C's place) a whole
    number of blocks apart give the block grid. Then every 26 bits is a block: its data word
    goes to ``words``, its offset word (0–4: A B C C′ D, the one expected where the syndrome
    matches none) to ``kinds``, and ``good`` says whether the syndrome matched. After
    ``state[5]`` bad blocks in a row the grid is dropped and searched for again. Returns the
    number of blocks written.

    ``place``: ``PLACE``. ``state``: [last 26 bits, synchronised, bits into the block, next
    place (0–3), bad blocks in a row, bad blocks allowed, bits seen, bits seen at the last
    syndrome hit, its place] — [5] set, the rest zero, to start."""
    reg = state[0]
    count = 0
    for i in range(bits.shape[0]):
        reg = ((reg << 1) | (bits[i] & 1)) & 0x3FFFFFF
        state[6] += 1
        if state[1] == 0:
            if state[6] < 26:
                continue
            kind = _offset_of(syndrome(reg))
            if kind < 0:
                continue
            apart = state[6] - state[7]
            if state[7] > 0 and apart % 26 == 0 and apart <= 26 * 4 \
                    and (state[8] + apart // 26) % 4 == place[kind]:
                state[1] = 1  # two blocks agree: the grid is found
                state[2] = 0
                state[3] = (place[kind] + 1) % 4
                state[4] = 0
                words[count] = reg >> 10
                kinds[count] = kind
                good[count] = 1
                count += 1
            else:
                state[7] = state[6]
                state[8] = place[kind]
            continue
        state[2] += 1
        if state[2] < 26:
            continue
        state[2] = 0
        here = state[3]
        kind = _offset_of(syndrome(reg))
        ok = kind >= 0 and place[kind] == here
        if not ok:
            kind = here if here < 3 else 4  # the block expected there: A B C D
        words[count] = reg >> 10
        kinds[count] = kind
        good[count] = 1 if ok else 0
        count += 1
        state[3] = (here + 1) % 4
        state[4] = 0 if ok else state[4] + 1
        if state[4] >= state[5]:
            state[1] = 0  # lost: search again
            state[7] = 0
    state[0] = reg
    return count


@kernel(["int64(int64)"])
def _offset_of(s):
    for k in range(5):
        if s == OFFSETS[k]:
            return k
    return -1
