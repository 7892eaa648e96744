import collections

import numpy as np

from sdrflow.block import UINT8, Block, Port


class Packetizer(Block):
    """Cuts packets out of a bit stream after each ``sync`` tag and posts them as messages.

    Each packet is the ``length`` bits following a tagged bit (the last bit of a sync word,
    from SyncWordCorrelator), posted on ``packets`` as
    ``{"offset": first bit's index, "bits": [0/1 …], "bytes": b"…"}`` (bytes MSB first);
    ``packets`` keeps the latest 1000 and ``packets_found`` counts them all.

    Signature: uint8 -> , message ``packets``

    Parameters
    ----------
    length : int
        Payload bits per packet.
    tag : str
        Tag key that marks a sync word.

    Example: ``Packetizer(length=128)``
    """

    inputs = [Port("in", UINT8)]
    message_outputs = ("packets",)
    propagate_tags = False

    def __init__(self, length: int, tag: str = "sync"):
        if int(length) != length or length < 1:
            raise ValueError(f"Packetizer: length must be a whole number >= 1, got {length!r}")
        self.length, self.tag = int(length), tag
        self.packets = collections.deque(maxlen=1000)  # the latest; packets_found counts them all
        self.packets_found = 0

    def start(self, rate):
        self._count = 0
        self._open = []  # (first bit index, list of bit arrays so far)
        self.packets = collections.deque(maxlen=1000)
        self.packets_found = 0

    def work(self, bits):
        for index, key, _ in self.input_tags():
            if key == self.tag:
                self._open.append((self._count + index + 1, []))
        still_open = []
        for first, parts in self._open:
            have = sum(len(p) for p in parts)
            start = max(first - self._count, 0)
            take = bits[start:start + self.length - have]
            if len(take):
                parts.append(take.copy())
            if have + len(take) == self.length:
                payload = np.concatenate(parts)
                packet = {"offset": first, "bits": payload.tolist(),
                          "bytes": np.packbits(payload).tobytes()}
                self.packets.append(packet)
                self.packets_found += 1
                self.post("packets", packet)
            else:
                still_open.append((first, parts))
        self._open = still_open
        self._count += len(bits)
