import numpy as np

from sdrflow.block import FREE, UINT8, Block, Port
from sdrflow.kernels.rds import PLACE, burst_table, find_blocks

from ._rds import GroupParser


class RDSDecoder(Block):
    """RDS / RBDS data bits to what the station says: PI, programme type, programme service
    name, radiotext, clock time.

    Blocks are found by their checkwords (26 bits: 16 of data, 10 of check plus an offset word
    that says the block's place in its group); two blocks in the right order the right number
    of bits apart set the grid, and ``max_bad`` blocks in a row that were not clean drop it. A
    block with a burst of one or two wrong bits is corrected (the checkword could correct up to
    five, but would then pass garbage for good more often); a block still bad is left out of
    its group. Each group becomes a message on ``out``: a dict with
    ``pi``, ``group`` (``"0A"`` …), ``tp``, ``prog_type`` and, when a group completes one,
    ``ps``, ``radiotext`` or ``clock_time`` (``callsign`` too, with ``rbds``: North American
    call letters from the PI code); alternative frequencies, the country, open data
    applications and RadioText+ tags as redsea names them (``GroupParser`` in ``_rds.py``).

    Signature: uint8 (bits, 1187.5 per second) -> message ``out``

    Parameters
    ----------
    rbds : bool
        North American RBDS: its programme type names and call letters.
    max_bad : int
        Blocks in a row not clean (bad or corrected) after which the block grid is searched
        for again.

    Example: ``fg.connect(RDSDemod(), RDSDecoder()); fg.connect((decoder, "out"), MessageSink())``
    """

    inputs = [Port("in", UINT8)]
    message_outputs = ("out",)
    rate_rule = FREE

    def __init__(self, rbds: bool = False, max_bad: int = 20):
        if int(max_bad) != max_bad or max_bad < 1:
            raise ValueError(f"RDSDecoder: max_bad must be a whole number >= 1, got {max_bad!r}")
        self.rbds, self.max_bad = bool(rbds), int(max_bad)
        self.blocks = self.blocks_bad = self.blocks_corrected = self.groups = 0

    def start(self, rate):
        self._state = np.zeros(10, np.int64)
        self._state[5], self._state[9] = self.max_bad, 2
        self._parser = GroupParser(self.rbds)
        self._group = [None] * 4
        self._filled = self._c_prime = False
        self._bursts = burst_table(2)
        self.blocks = self.blocks_bad = self.blocks_corrected = self.groups = 0

    def counters(self):
        return {"blocks": self.blocks, "blocks_bad": self.blocks_bad,
                "blocks_corrected": self.blocks_corrected, "groups": self.groups}

    def work(self, x):
        n = len(x)  # at most one block per 26 bits, and one more that ends in this call
        words = self.scratch(n // 26 + 2, np.uint16, "words")
        kinds = self.scratch(n // 26 + 2, np.uint8, "kinds")
        good = self.scratch(n // 26 + 2, np.uint8, "good")
        count = find_blocks(x, PLACE, self._bursts, self._state, words, kinds, good)
        for word, kind, ok in zip(words[:count].tolist(), kinds[:count].tolist(),
                                  good[:count].tolist()):
            self.blocks += 1
            self.blocks_bad += not ok
            self.blocks_corrected += ok == 2
            place = int(PLACE[kind])
            if place == 0:
                self._group, self._c_prime = [None] * 4, False
            self._group[place] = word if ok else None
            if place == 2:
                self._c_prime = ok > 0 and kind == 3
            self._filled = self._filled or ok > 0
            if place == 3:
                self._emit()

    def _emit(self):
        group, self._group = self._group, [None] * 4
        if not self._filled:
            return
        self._filled = False
        self.groups += 1
        fields = self._parser.feed(group, self._c_prime)
        if fields is not None:
            self.post("out", fields)
