import collections
import logging
import select
import socket
import struct
import threading

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port

from ._rtl import R820T_GAINS

log = logging.getLogger(__name__)

#: rtl_tcp command codes (src/rtl_tcp.c) → the source setting each one changes.
COMMANDS = {0x01: "frequency", 0x02: "rate", 0x03: "gain_mode", 0x04: "gain",
            0x05: "correction_ppm", 0x06: "if_gain", 0x07: "test_mode", 0x08: "rtl_agc",
            0x09: "direct_sampling", 0x0a: "offset_tuning", 0x0b: "rtl_xtal", 0x0c: "tuner_xtal",
            0x0d: "gain_index", 0x0e: "bias_tee"}


SEND_BUFFER = 128 * 1024


class RtlTcpServerSink(Block):
    """Serves its input to rtl_tcp clients (SDR++, SDR#, GQRX, rtl_tcp clients, RtlTcpSource).

    Each client gets the 12-byte ``RTL0`` greeting (tuner type and gain count, big-endian),
    then the stream as cu8 (``round(x·127.5 + 127.5)``, clipped). One client at a time, as
    rtl_tcp: the next one waits until the first leaves. The client's 5-byte commands
    (frequency, sample rate, gain mode, gain, gain by index, ppm, RTL AGC, direct sampling,
    offset tuning, bias tee) are sent out of message port ``ctrl`` as ``{"frequency":
    Hz}``-style messages — connect it to the source's ``ctrl`` — when the source can apply
    them (``controls``); the rest are logged and ignored. A new sample rate, once the source
    applies it, comes back as an ``rx_rate`` tag on the stream. After a client's retune the
    samples from before it are not sent (``samples_stale``): what was queued, the rest of what
    was going out, and what comes until the source's ``rx_freq`` tag at the new frequency (at
    most half a second, for a source that refused it). The socket's send buffer is kept small
    (128 KiB), so little of the old frequency is past reach in the kernel when a client that
    fell behind retunes; ``RtlTcpSource`` drops what reached its own socket. A
    slow client makes counted drops (``samples_dropped``), never an unbounded queue; samples
    with no client connected are counted too.

    Signature: complex64 ->

    Parameters
    ----------
    port : int
        TCP port (1234, rtl_tcp's).
    bind : str
        Address to listen on; 127.0.0.1 unless the dongle is to be shared beyond this host.
    controls : collection of str
        Settings the source applies by message (``frequency``, ``sample_rate``, ``gain`` …).
    tuner : callable, optional
        Returns (tuner type, gain count) for the greeting; R820T with 29 gains by default.
    buffer_seconds : float
        Most samples queued for a slow client, in seconds of the stream.

    Example: ``RtlTcpServerSink(1234)``
    """

    inputs = [Port("in", COMPLEX64)]
    message_outputs = ("ctrl",)

    def __init__(self, port: int = 1234, bind: str = "127.0.0.1", controls=(), tuner=None,
                 buffer_seconds: float = 0.5):
        if not 0 <= int(port) < 65536:
            raise ValueError(f"RtlTcpServerSink: port must be 0–65535, got {port!r}")
        if not buffer_seconds > 0:
            raise ValueError(f"RtlTcpServerSink: buffer_seconds must be > 0, got {buffer_seconds!r}")
        self.port, self.bind, self.controls = int(port), str(bind), set(controls)
        self.tuner = tuner or (lambda: (5, len(R820T_GAINS)))
        self.buffer_seconds = float(buffer_seconds)
        self._server = None
        self.clients = self.samples_sent = self.samples_dropped = self.samples_unserved = 0
        self.samples_stale = 0
        self.ignored = collections.deque(maxlen=100)  # the latest client commands ignored

    # -- start and stop -----------------------------------------------------------------------
    def start(self, rate):
        self._rate = rate
        self._limit = max(int(self.buffer_seconds * rate) * 2, 65536)  # bytes
        self._queue = collections.deque()
        self._queued = 0
        self._cond = threading.Condition()
        self._client, self._cut = None, False
        self._awaiting = None  # (frequency a client asked for, samples still to wait for it)
        self._gain_mode_manual = False
        self._quit = threading.Event()
        try:
            self._server = socket.create_server((self.bind, self.port), reuse_port=False)
        except OSError as e:
            raise ValueError(f"RtlTcpServerSink: cannot listen on {self.bind}:{self.port}: "
                             f"{e.strerror}") from e
        self.port = self._server.getsockname()[1]
        self._server.settimeout(0.2)
        self._thread = threading.Thread(target=self._serve, daemon=True, name=f"{self.name}-serve")
        self._thread.start()

    def stop(self):
        if self._server is None:
            return
        self._quit.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self._server.close()
        self._server = None

    # -- the stream ---------------------------------------------------------------------------
    def work(self, x):
        tags = self.input_tags()
        for _, key, value in tags:
            if key == "rx_rate" and value != self._rate:  # the source applied a client's rate
                self._rate = float(value)
                self._limit = max(int(self.buffer_seconds * self._rate) * 2, 65536)
        with self._cond:
            awaiting = self._awaiting
        if awaiting is not None:  # a client retuned: what the source made before is stale
            wanted, left = awaiting
            at = next((i for i, key, value in tags if key == "rx_freq"
                       and abs(value - wanted) < 1), None)
            stale = len(x) if at is None else at
            stale = min(stale, left)
            self.samples_stale += stale
            x = x[stale:]
            with self._cond:
                if self._awaiting == awaiting:  # not retuned again meanwhile
                    self._awaiting = None if at is not None or stale == left else \
                        (wanted, left - stale)
            if not len(x):
                return
        if self._client is None:
            self.samples_unserved += len(x)
            return
        iq = np.empty(2 * len(x), np.float32)
        iq[0::2], iq[1::2] = x.real, x.imag
        data = np.clip(np.rint(iq * 127.5 + 127.5), 0, 255).astype(np.uint8).tobytes()
        with self._cond:
            self._queue.append(data)
            self._queued += len(data)
            while self._queued > self._limit:  # the client is slow: the oldest go
                old = self._queue.popleft()
                self._queued -= len(old)
                self.samples_dropped += len(old) // 2
            self._cond.notify()

    def counters(self) -> dict:
        return {"clients": self.clients, "samples_sent": self.samples_sent,
                "samples_dropped": self.samples_dropped, "samples_unserved": self.samples_unserved,
                "samples_stale": self.samples_stale,
                "queued_bytes": self._queued if self._server else 0}

    # -- clients ------------------------------------------------------------------------------
    def _serve(self):
        while not self._quit.is_set():
            try:
                conn, peer = self._server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.clients += 1
            log.info("%s: client %s:%d connected", self.name, *peer[:2])
            try:
                self._session(conn)
            except OSError as e:
                log.info("%s: client %s:%d left (%s)", self.name, peer[0], peer[1], e)
            finally:
                with self._cond:
                    self._client = None
                    self.samples_dropped += self._queued // 2  # queued for the one who left
                    self._queue.clear()
                    self._queued = 0
                conn.close()

    def _session(self, conn):
        # A small send buffer keeps what a slow client has not taken in the queue here, where
        # a retune drops it, rather than in the kernel's (megabytes: seconds of stale samples
        # after a retune). 128 KiB (Linux doubles it) is 55 ms at 2.4 MS/s, and carries the
        # stream over 40 ms of round trip.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
        tuner, gains = self.tuner()
        conn.sendall(b"RTL0" + struct.pack(">II", tuner, gains))
        conn.setblocking(False)  # a send never waits while holding the lock (_send)
        gone = threading.Event()
        reader = threading.Thread(target=self._commands, args=(conn, gone), daemon=True)
        reader.start()
        with self._cond:
            self._client = conn
        try:
            while not self._quit.is_set() and not gone.is_set():
                with self._cond:
                    if not self._queue:
                        self._cond.wait(0.1)
                    if not self._queue:
                        continue
                    data = self._queue.popleft()
                    self._queued -= len(data)
                    self._cut = False  # set by a retune from now on: the rest of data is stale
                self.samples_sent += self._send(conn, data, gone) // 2
        finally:
            gone.set()
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            reader.join(timeout=2)

    def _send(self, conn, data, gone) -> int:
        """Send ``data``, waiting in short steps so a stop or a departure is noticed (a client
        that stops reading blocks only this thread; the queue drops meanwhile); returns the
        bytes sent. A command waiting to be read goes first: after a retune the rest of
        ``data`` is stale and dropped, whole samples only, so the stream stays aligned."""
        view, sent = memoryview(data), 0
        while view.nbytes:
            if self._quit.is_set() or gone.is_set():
                raise OSError("stopping")
            readable, writable, _ = select.select([conn], [conn], [], 0.2)
            if readable and not gone.is_set():  # the reader applies it first
                gone.wait(0.001)
                continue
            with self._cond:  # no command is applied while a piece goes out
                if self._cut:
                    keep = sent % 2  # the Q of a sample whose I went out
                    self.samples_stale += (view.nbytes - keep) // 2
                    view, self._cut = view[:keep], False
                if writable and view.nbytes:
                    try:
                        k = conn.send(view)
                    except BlockingIOError:  # the room select saw has gone meanwhile
                        k = 0
                    view, sent = view[k:], sent + k
        return sent

    def _commands(self, conn, gone):
        buf = b""
        while not gone.is_set() and not self._quit.is_set():
            try:
                readable, _, _ = select.select([conn], [], [], 0.2)
                if not readable:
                    continue
                with self._cond:  # read and applied before the sender sends more (_send)
                    part = conn.recv(64)
                    buf += part
                    while len(buf) >= 5:
                        code, value = struct.unpack(">BI", buf[:5])
                        buf = buf[5:]
                        self._apply(code, value)
            except BlockingIOError:  # readiness that went (the socket does not wait)
                continue
            except OSError:
                break
            if not part:
                break
        gone.set()

    def _apply(self, code, value):
        name = COMMANDS.get(code, f"command 0x{code:02x}")
        signed = value - (1 << 32) if value >= 1 << 31 else value
        message = None
        if name == "frequency":
            message = {"frequency": float(value)}
        elif name == "rate":
            if abs(value - self._rate) <= 0.5:
                return
            if "sample_rate" not in self.controls:
                self._ignore(f"sample rate {value} (serving {self._rate:g} S/s)")
                return
            message = {"sample_rate": float(value)}
        elif name == "gain_mode":
            self._gain_mode_manual = bool(value)
            if not value:
                message = {"gain": None}
        elif name == "gain":
            message = {"gain": value / 10}
        elif name == "gain_index":
            if value < len(R820T_GAINS):
                message = {"gain": R820T_GAINS[value] / 10}
        elif name == "correction_ppm":
            message = {"correction_ppm": signed}
        elif name in ("rtl_agc", "offset_tuning", "bias_tee"):
            message = {name: bool(value)}
        elif name == "direct_sampling":
            message = {"direct_sampling": {0: None, 1: "i", 2: "q"}.get(value)}
        if message is None or not set(message) <= self.controls:
            self._ignore(f"{name} {signed}")
            return
        if name == "frequency":
            with self._cond:  # what is queued, and what comes until the source says, is stale
                self.samples_stale += self._queued // 2
                self._queue.clear()
                self._queued, self._cut = 0, True
                self._awaiting = (float(value), int(self._rate / 2))
        self.post("ctrl", message)

    def _ignore(self, what):
        self.ignored.append(what)
        log.info("%s: ignored the client's %s (the source cannot apply it)", self.name, what)
