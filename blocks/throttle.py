import time

from sdrflow.block import ANY, SAME, Block, Port


class Throttle(Block):
    """Passes the stream no faster than its sample rate, so a simulated source behaves like a
    radio (for displays, network links, real-time tests). Not needed behind real hardware,
    which sets the pace itself.

    Signature: any stream -> same

    Parameters
    ----------
    speed : float
        Multiple of real time (1 = the stream's rate; 2 = twice as fast).

    Example: ``fg.connect(FMStationSource(), Throttle(), ZMQPubSink("tcp://*:5556"))``
    """

    inputs = [Port("in", ANY)]
    outputs = [Port("out", SAME)]
    passthrough = True  # work returns a slice of its input
    own_thread = True  # it sleeps

    def __init__(self, speed: float = 1.0):
        if not speed > 0:
            raise ValueError(f"Throttle: speed must be > 0, got {speed!r}")
        self.speed = float(speed)

    def start(self, rate):
        self._rate = rate * self.speed
        self._t0 = None
        self._count = 0

    def work(self, x):
        if self._t0 is None:
            self._t0 = time.monotonic()
        self._count += len(x)
        ahead = self._count / self._rate - (time.monotonic() - self._t0)
        while ahead > 0 and not self.stopping:
            time.sleep(min(ahead, 0.05))
            ahead = self._count / self._rate - (time.monotonic() - self._t0)
        return x
