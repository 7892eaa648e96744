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


def burst_table(longest: int = 2) -> np.ndarray:
    """Error bursts by syndrome: entry ``s`` is the burst of at most ``longest`` bits whose
    syndrome is ``s`` (0 where none). The code tells bursts of up to 5 bits apart; each one
    corrected also turns garbage into a "good" block now and then (2 bits: 51 of the 1023
    syndromes, so one garbage block in 20), hence 2."""
    table = np.zeros(1024, np.int64)
    for length in range(1, longest + 1):
        for start in range(27 - length):
            for middle in range(1 << max(length - 2, 0)):
                burst = 1 if length == 1 else (1 << (length - 1) | middle << 1 | 1)
                table[syndrome(np.int64(burst << start))] = burst << start
    return table


@kernel(["intp(uint8[::1], int64[::1], int64[::1], int64[::1], uint16[::1], uint8[::1], "
         "uint8[::1])"])
def find_blocks(bits, place, bursts, state, words, kinds, good):
    """Blocks in a stream of data bits. Unsynchronised, every bit position is tried: two blocks
    whose syndromes are offset words in the right order (A B C D, C′ in C's place) a whole
    number of blocks apart give the block grid. Then every 26 bits is a block: its data word
    goes to ``words``, its offset word (0–4: A B C C′ D, the one expected where the syndrome
    matches none) to ``kinds``, and ``good`` says whether the syndrome matched (1), matched
    once a burst in ``bursts`` (``burst_table``) was corrected (2), or not (0). After
    ``state[5]`` blocks in a row that were not clean the grid is dropped and searched for
    again (a corrected block does not count as clean: garbage is sometimes "corrected").
    Returns the number of blocks written.

    ``place``: ``PLACE``. ``state``: [last 26 bits, synchronised, bits into the block, next
    place (0–3), blocks in a row not clean, how many are allowed, bits seen, bits seen at the
    last syndrome hit, its place, this group's version (0 A, 1 B, 2 unknown)] — [5] set, [9]
    2, the rest zero, to start."""
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
                state[9] = reg >> 21 & 1 if kind == 1 else (1 if kind == 3 else 2)
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
        s = syndrome(reg)
        kind = _offset_of(s)
        verdict = 1 if kind >= 0 and place[kind] == here else 0
        block = reg
        if verdict == 0:
            slipped = kind >= 0  # another place's block: the grid slipped, nothing to correct
            kind = here if here < 3 else 4  # the block expected there: A B C D
            if here == 2 and state[9] == 1 and not slipped:
                kind = 3  # block B said version B: C′
            burst = 0 if slipped else bursts[s ^ OFFSETS[kind]]
            if here == 2 and state[9] == 2 and not slipped:  # C or C′, if only one fits
                other = bursts[s ^ OFFSETS[3]]
                if burst and other:
                    burst = 0
                elif other:
                    burst, kind = other, 3
            if burst:
                block, verdict = reg ^ burst, 2
        if here == 1:  # the group's version (block B's bit 11), for its C
            state[9] = block >> 21 & 1 if verdict else 2
        words[count] = block >> 10
        kinds[count] = kind
        good[count] = verdict
        count += 1
        state[3] = (here + 1) % 4
        state[4] = 0 if verdict == 1 else state[4] + 1
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
