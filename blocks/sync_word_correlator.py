import numpy as np

from sdrflow.block import UINT8, Block, Port
from sdrflow.kernels.bits import find_sync


class SyncWordCorrelator(Block):
    """Finds a sync word in a bit stream and tags its last bit (``sync`` = its name).

    Bits pass through unchanged; a match is the last ``len(word)`` bits equal to ``word`` with at
    most ``max_errors`` differences.

    Signature: uint8 -> uint8 (bits, tagged)

    Parameters
    ----------
    word : str or sequence of int
        The sync word as ``"0110…"`` or a list of 0/1 (at most 64 bits).
    max_errors : int
        Bit errors tolerated in a match.
    name : str
        Value of the ``sync`` tag.

    Example: ``SyncWordCorrelator("1010101111001101", max_errors=1)``
    """

    inputs = [Port("in", UINT8)]
    outputs = [Port("out", UINT8)]

    def __init__(self, word, max_errors: int = 0, name: str = "sync"):
        bits = [int(b) for b in word] if isinstance(word, str) else [int(b) for b in word]
        if not bits or len(bits) > 64 or any(b not in (0, 1) for b in bits):
            raise ValueError("SyncWordCorrelator: word must be 1 to 64 bits of 0/1")
        if not 0 <= max_errors < len(bits):
            raise ValueError(f"SyncWordCorrelator: max_errors must be in [0, {len(bits)}), got {max_errors!r}")
        self.bits, self.max_errors, self.sync_name = bits, int(max_errors), name
        self._word = np.uint64(int("".join(map(str, bits)), 2))
        self._mask = np.uint64((1 << len(bits)) - 1)
        self.matches = 0

    def start(self, rate):
        self._state = np.zeros(2, np.uint64)
        self.matches = 0

    def work(self, x):
        found = self.scratch(len(x), np.intp)
        k = find_sync(x, self._word, self._mask, len(self.bits), self.max_errors, self._state, found)
        for i in found[:k]:
            self.add_tag(int(i) - 1, "sync", self.sync_name)  # found[] is one past the word
        self.matches += k
        out = self.buffer(len(x), np.uint8)
        out[:] = x
        return out
