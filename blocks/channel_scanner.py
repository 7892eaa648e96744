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

    Channels beyond one band (an airband scan, 118–137 MHz) come with ``tunings``: where the
    source is tuned for each. A hop to another tuning also sends ``{"frequency": tuning}`` out
    of ``tune`` (connect it to the source's ``ctrl``), and the scan waits for the source's
    ``rx_freq`` tag at the new tuning, then ``retune_settle`` seconds more (what the source
    still delivers from before a retune: ``RtlTcpSource.retune_settle``).

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
    tunings : sequence of float, optional
        The source's centre frequency in Hz for each channel, its offset counted from there.
    retune_settle : float
        Seconds ignored after the source's ``rx_freq`` tag at a new tuning.

    Example: ``ChannelScanner([-12.5e3, 0, 12.5e3], threshold_db=-50)``
    """

    inputs = [Port("in", COMPLEX64)]
    message_outputs = ("ctrl", "tune")

    def __init__(self, offsets, threshold_db: float, dwell: float = 0.05, hang: float = 1.0,
                 settle: float = 0.01, centre: float | None = None, tunings=None,
                 retune_settle: float = 0.01):
        offsets = [float(f) for f in offsets]
        if len(offsets) < 2:
            raise ValueError("ChannelScanner: give at least two channels to scan")
        if not (dwell > 0 and hang >= 0 and settle >= 0 and retune_settle >= 0):
            raise ValueError("ChannelScanner: dwell must be > 0 s, hang, settle and "
                             "retune_settle >= 0 s")
        if tunings is not None:
            tunings = [float(f) for f in tunings]
            if len(tunings) != len(offsets) or not all(f > 0 for f in tunings):
                raise ValueError("ChannelScanner: tunings gives each channel's source frequency "
                                 "(> 0 Hz), one per offset")
        self.offsets, self.threshold_db, self.tunings = offsets, float(threshold_db), tunings
        self.dwell, self.hang, self.settle, self.centre = dwell, hang, settle, centre
        self.retune_settle = float(retune_settle)
        self.hits = collections.deque(maxlen=10_000)  # the latest; hits_found counts them all
        self.hits_found = 0

    def start(self, rate):
        self.rate = rate
        self.index, self.busy = 0, False
        self._skip = int(self.settle * rate)
        self._quiet = 0
        self._seen = 0
        self._waiting = None  # a tuning asked of the source, until its rx_freq tag comes

    def work(self, x):
        self._seen += len(x)
        if self._waiting is not None:
            at = [i for i, key, value in self.input_tags()
                  if key == "rx_freq" and abs(value - self._waiting) < 1]
            if not at:
                return
            x, self._waiting = x[at[-1]:], None
        if self._skip:
            take = min(self._skip, len(x))
            self._skip -= take
            x = x[take:]
            if not len(x):
                return
        n = len(x)
        power = float(np.mean(x.real * x.real + x.imag * x.imag))
        level = 10 * np.log10(max(power, 1e-30))
        if level >= self.threshold_db:
            self._quiet = 0
            if not self.busy:
                self.busy = True
                hz = self.frequency
                self.hits.append((self._seen / self.rate, hz, level))
                self.hits_found += 1
                log.info("%s: signal at %.6g MHz, %.1f dBFS", self.name, hz / 1e6, level)
            return
        self._quiet += n
        if self.busy and self._quiet >= self.hang * self.rate:
            self.busy, self._quiet = False, 0
        if not self.busy and self._quiet >= self.dwell * self.rate:
            was, self.index = self.index, (self.index + 1) % len(self.offsets)
            self.post("ctrl", {"frequency": self.offsets[self.index]})
            self._skip, self._quiet = int(self.settle * self.rate), 0
            if self.tunings and self.tunings[self.index] != self.tunings[was]:
                self._waiting = self.tunings[self.index]
                self.post("tune", {"frequency": self._waiting})
                self._skip = int((self.settle + self.retune_settle) * self.rate)

    @property
    def frequency(self) -> float:
        """The channel being listened to now (absolute when the centre or tunings are known)."""
        base = self.tunings[self.index] if self.tunings else (self.centre or 0.0)
        return self.offsets[self.index] + base
