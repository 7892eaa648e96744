import collections
import logging

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port

log = logging.getLogger(__name__)


class ChannelScanner(Block):
    """Scans channels like rtl_fm with several ``-f``: hops while the channel is quiet, stays
    while something is heard, resumes when it has been quiet for ``hang`` seconds.

    Reads a receiver's channel (after its channel filter) and sends ``{"frequency": offset}``
    out of message port ``ctrl`` to that filter (connect it to the filter's ``ctrl``). After
    each hop it waits ``settle`` seconds for the filter to flush, then listens ``dwell``
    seconds. Every time a channel opens, ``hits`` gets (stream time s, frequency Hz, level dBFS)
    and a line goes to the log; ``hits`` keeps the latest 10000 and ``hits_found`` counts them
    all.

    Signature: complex64 ->

    Parameters
    ----------
    offsets : sequence of float
        Channel offsets from the stream's centre, in Hz, scanned in order.
    threshold_db : float
        Channel power in dBFS at which a channel counts as busy (the squelch level).
    dwell : float
        Seconds of quiet on a channel before hopping on.
    hang : float
        Seconds a busy channel must stay quiet before the scan resumes.
    settle : float
        Seconds ignored after a hop.
    centre : float, optional
        Centre frequency in Hz, to report absolute frequencies.

    Example: ``ChannelScanner([-12.5e3, 0, 12.5e3], threshold_db=-50)``
    """

    inputs = [Port("in", COMPLEX64)]
    message_outputs = ("ctrl",)

    def __init__(self, offsets, threshold_db: float, dwell: float = 0.05, hang: float = 1.0,
                 settle: float = 0.01, centre: float | None = None):
        offsets = [float(f) for f in offsets]
        if len(offsets) < 2:
            raise ValueError("ChannelScanner: give at least two channels to scan")
        if not (dwell > 0 and hang >= 0 and settle >= 0):
            raise ValueError("ChannelScanner: dwell must be > 0 s, hang and settle >= 0 s")
        self.offsets, self.threshold_db = offsets, float(threshold_db)
        self.dwell, self.hang, self.settle, self.centre = dwell, hang, settle, centre
        self.hits = collections.deque(maxlen=10_000)  # the latest; hits_found counts them all
        self.hits_found = 0

    def start(self, rate):
        self.rate = rate
        self.index, self.busy = 0, False
        self._skip = int(self.settle * rate)
        self._quiet = 0
        self._seen = 0

    def work(self, x):
        n = len(x)
        self._seen += n
        if self._skip:
            self._skip = max(0, self._skip - n)
            return
        power = float(np.mean(x.real * x.real + x.imag * x.imag))
        level = 10 * np.log10(max(power, 1e-30))
        if level >= self.threshold_db:
            self._quiet = 0
            if not self.busy:
                self.busy = True
                hz = self.offsets[self.index] + (self.centre or 0.0)
                self.hits.append((self._seen / self.rate, hz, level))
                self.hits_found += 1
                log.info("%s: signal at %.6g MHz, %.1f dBFS", self.name, hz / 1e6, level)
            return
        self._quiet += n
        if self.busy and self._quiet >= self.hang * self.rate:
            self.busy, self._quiet = False, 0
        if not self.busy and self._quiet >= self.dwell * self.rate:
            self.index = (self.index + 1) % len(self.offsets)
            self.post("ctrl", {"frequency": self.offsets[self.index]})
            self._skip, self._quiet = int(self.settle * self.rate), 0

    @property
    def frequency(self) -> float:
        """The channel being listened to now (absolute when the centre is known)."""
        return self.offsets[self.index] + (self.centre or 0.0)
