"""Bit-level helpers: differential decoding and sync-word search."""
from numpy import intp, uint64

from ._jit import kernel


@kernel(["void(uint8[::1], intp, intp[::1], uint8[::1])"])
def differential_decode(x, modulus, state, out):
    """out[n] = (x[n] − x[n−1]) mod ``modulus``; ``state[0]`` carries x[−1]."""
    prev = state[0]
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = (v - prev) % modulus
        prev = v
    state[0] = prev


@kernel(["intp(uint8[::1], uint64, uint64, intp, intp, uint64[::1], intp[::1])"])
def find_sync(bits, word, mask, length, max_errors, state, found):
    """Indices just after each place where the last ``length`` bits equal ``word`` (within
    ``max_errors`` differing bits). ``state`` = [shift register, bits seen (capped)]; returns
    how many indices went to ``found``."""
    reg = state[0]
    seen = intp(state[1])
    one = uint64(1)
    zero = uint64(0)
    k = 0
    for i in range(bits.shape[0]):
        reg = ((reg << one) | uint64(bits[i] & 1)) & mask
        if seen < length:
            seen += 1
        if seen >= length:
            diff = reg ^ word
            errors = 0
            while diff != zero:
                diff &= diff - one
                errors += 1
            if errors <= max_errors:
                found[k] = i + 1
                k += 1
    state[0] = reg
    state[1] = uint64(seen)
    return k
