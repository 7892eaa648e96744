import collections
import logging
import struct
import threading
import time

import numpy as np
from scipy.signal import get_window

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port

log = logging.getLogger(__name__)

#: Spectrum frames carry dB as bytes: 0 = DB_MIN, 255 = DB_MAX (0.55 dB steps).
DB_MIN, DB_MAX = -140.0, 0.0
FFT_SIZES = (256, 512, 1024, 2048, 4096, 8192)
MODES = ("wbfm", "fm", "am", "usb", "lsb")


class WebSink(Block):
    """A live spectrum, waterfall and receivers in the browser for a complex stream; a scope for
    a float stream; a log of the messages that reach its ``log`` port.

    Serves a page (``http://127.0.0.1:PORT/``) that draws the band's spectrum and a scrolling
    waterfall, frequency axis in Hz (absolute once an ``rx_freq`` tag says the centre). A click
    on the waterfall tunes a receiver (WBFM, NBFM, AM, USB, LSB) for that page alone, which runs
    as a small flowgraph of its own fed from this stream; its audio plays in the page, and a
    WBFM receiver's RDS (station name, programme type, radiotext) shows in the page. Pages may
    change the source's centre frequency and gain through message port ``ctrl`` (connect it to
    the source's ``ctrl``). Frames go out at most ``fps`` a second, 8-bit dB per bin; a page
    too slow to take them gets frames dropped and counted, never a growing queue. A float
    stream is drawn as a scope (the latest ``scope_length`` samples per frame); every message on
    ``log`` is shown as a line (the last 200 are kept for pages that open later), and so is
    every warning the blocks of its flowgraph log while it runs: a source refusing a page's
    retune or gain, samples a dongle dropped, frames a network source rejected.

    Signature: complex64 -> | float32 ->, message ``log``

    Parameters
    ----------
    title : str
        Name of this view (several web sinks may share a port).
    port : int
        TCP port of the page (8073, OpenWebRX's).
    bind : str
        Address to listen on; any but loopback requires the printed token.
    token : str, optional
        The token to require (one is made when binding beyond loopback).
    fps : float
        Most spectrum (or scope) frames per second per page.
    frequency : float, optional
        Centre frequency in Hz until an ``rx_freq`` tag says it.
    scope_length : int
        Samples per scope frame, for a float stream.
    rbds : bool
        Read a broadcast FM receiver's RDS as North America sends it (RBDS): its programme
        type names, and call letters from the PI code.

    Example: ``WebSink("band", port=8073)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]
    message_inputs = ("log",)
    message_outputs = ("ctrl",)

    def __init__(self, title: str = "band", port: int = 8073, bind: str = "127.0.0.1",
                 token: str | None = None, fps: float = 25.0, frequency: float | None = None,
                 scope_length: int = 1024, rbds: bool = False):
        if not 0 <= int(port) < 65536:
            raise ValueError(f"WebSink: port must be 0–65535, got {port!r}")
        if not 0 < fps <= 60:
            raise ValueError(f"WebSink: fps must be in (0, 60], got {fps!r}")
        self.title, self.port, self.bind, self.token = str(title), int(port), str(bind), token
        self.fps, self.centre = float(fps), frequency
        if not 16 <= int(scope_length) <= 65536:
            raise ValueError(f"WebSink: scope_length must be 16–65536, got {scope_length!r}")
        self.scope_length = int(scope_length)
        self.rbds = bool(rbds)
        self.log = collections.deque(maxlen=200)
        self.server = None
        self.frames_dropped = 0

    # -- life ---------------------------------------------------------------------------------
    def start(self, rate):
        from sdrflow.web import WebServer

        self.rate = rate
        self.scope = self.input_types[0] == FLOAT32
        self._history = np.zeros(max(8 * max(FFT_SIZES), self.scope_length),
                                 np.float32 if self.scope else np.complex64)
        self._filled = 0
        self._lock = threading.Lock()
        self._pages: list = []
        self._last_frame = 0.0
        self._newest = time.time()
        # Load the receivers' kernels now, so a page's first click does not wait for them.
        import sdrflow.blocks as catalogue
        for name in ("FreqXlatingFilter", "LowpassFilter", "FMDemod", "Deemphasis", "StereoDecoder",
                     "NBFMReceiver", "AMDemod", "SSBDemod", "PowerSquelch", "Resampler",
                     "RDSDemod", "RDSDecoder"):
            getattr(catalogue, name)
        self.server = WebServer.at(self.port, self.bind, self.token)
        self.server.open(self)
        self.port = self.server.port
        self._windows = {}
        self._warnings = _Warnings(self)
        logging.getLogger("sdrflow").addHandler(self._warnings)

    def stop(self):
        if getattr(self, "_warnings", None) is not None:
            logging.getLogger("sdrflow").removeHandler(self._warnings)
            self._warnings = None
        with self._lock:
            pages, self._pages = self._pages, []
        for page in pages:
            self._stop_receiver(page)
        if self.server is not None:
            self.server.close(self)
            self.server = None

    @property
    def url(self) -> str:
        return self.server.url if self.server else ""

    def describe(self) -> dict:
        return {"title": self.title, "rate": self.rate, "centre": self.centre,
                "kind": "scope" if self.scope else "band",
                "fft_sizes": FFT_SIZES, "modes": MODES, "db_range": [DB_MIN, DB_MAX]}

    # -- pages (called from the server's thread) ----------------------------------------------
    def page_opened(self, page):
        page.state.update(fft=2048, avg=0.5, rx=None, _spectrum=None, _rx=None, _generation=0)
        with self._lock:
            self._pages.append(page)
        page.send({"type": "hello", **self.describe(), "page": page.id})
        for line in list(self.log):
            page.send({"type": "log", "text": line})

    def page_closed(self, page):
        with self._lock:
            if page in self._pages:
                self._pages.remove(page)
        self._stop_receiver(page)

    def page_command(self, page, command):
        if "fft" in command:
            size = int(command["fft"])
            if size not in FFT_SIZES:
                raise ValueError(f"fft must be one of {FFT_SIZES}")
            page.state["fft"], page.state["_spectrum"] = size, None
        if "avg" in command:
            avg = float(command["avg"])
            if not 0 <= avg < 1:
                raise ValueError("avg must be in [0, 1)")
            page.state["avg"] = avg
        if "tune" in command:
            if self.scope:
                raise ValueError("a scope has no receiver")
            self._tune(page, command)
        if command.get("untune"):
            self._stop_receiver(page)
            page.state["rx"] = None
        if "centre" in command:
            self.post("ctrl", {"frequency": float(command["centre"])})
        if "gain" in command:
            gain = command["gain"]
            self.post("ctrl", {"gain": None if gain is None else float(gain)})

    def _tune(self, page, command):
        offset = float(command["tune"])
        if abs(offset) >= self.rate / 2:
            raise ValueError(f"tune offset must be within ±{self.rate / 2:g} Hz")
        old = page.state.get("rx") or {}
        mode = command.get("mode", old.get("mode", "wbfm"))
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        bandwidth = command.get("bandwidth", old.get("bandwidth") if old.get("mode") == mode else None)
        squelch = command.get("squelch", old.get("squelch"))
        bandwidth = None if bandwidth is None else float(bandwidth)
        squelch = None if squelch is None else float(squelch)
        if squelch is not None and not -200 <= squelch <= 0:
            raise ValueError(f"squelch is a level in dBFS within [-200, 0], got {squelch:g}")
        rx = {"offset": offset, "mode": mode, "bandwidth": bandwidth, "squelch": squelch}
        running = page.state.get("_rx")
        same = running is not None and {k: v for k, v in old.items() if k != "offset"} == \
            {k: v for k, v in rx.items() if k != "offset"}
        page.state["_generation"] += 1
        page.state["rx"] = rx
        # Only the frequency moved: retune the running channel filter; but a WBFM receiver
        # starts afresh, so no RDS of the station left can reach the page after the tune.
        if same and mode != "wbfm":
            fg, channel, _ = running
            fg.post(channel, "ctrl", {"frequency": offset})
            running[2]["generation"] = page.state["_generation"]
            return
        self._stop_receiver(page)
        try:
            self._start_receiver(page, rx)
        except ValueError:  # a bandwidth the mode cannot have: no receiver, as the page shows
            page.state["rx"] = None
            raise

    def _start_receiver(self, page, rx):
        from sdrflow import Flowgraph
        from sdrflow.blocks import CallbackSink, QueueSource
        from sdrflow.receivers import add_receiver

        feed = QueueSource(self.rate, maxsize=32)
        fg = Flowgraph(chunk=16384)
        squelch = rx["squelch"]
        receiver = add_receiver(fg, feed, self.rate, rx["mode"], offset=rx["offset"],
                                audio_rate=48e3, bandwidth=rx["bandwidth"], squelch_db=squelch)
        info = {"generation": page.state["_generation"], "held": []}

        def audio(x, page=page, info=info):
            info["held"].append(x)
            if sum(map(len, info["held"])) >= 2048:  # ~43 ms a message
                pcm = np.clip(np.rint(np.concatenate(info["held"]) * 32767), -32768, 32767)
                info["held"] = []
                page.send(struct.pack("<BxxxII", 2, 48000, info["generation"])
                          + pcm.astype("<i2").tobytes())

        fg.connect(receiver.audio[0], CallbackSink(audio))
        if receiver.multiplex is not None:  # broadcast FM: its RDS too
            from sdrflow.receivers import add_rds

            fg.connect((add_rds(fg, receiver, rbds=self.rbds), "out"),
                       (_RDSToPage(page, info), "in"))
        fg.start()
        page.state["_rx"] = (fg, receiver.channel, info)
        page.state["_feed"] = feed

    def _stop_receiver(self, page):
        running = page.state.get("_rx")
        page.state["_rx"] = None
        feed = page.state.pop("_feed", None)
        if running is not None:
            fg = running[0]
            feed.close()
            fg.stop()
            fg.wait()

    # -- the stream ---------------------------------------------------------------------------
    def work(self, x):
        for _, key, value in self.input_tags():
            if key == "rx_freq":
                self.centre = float(value)
                with self._lock:
                    pages = list(self._pages)
                for page in pages:
                    page.send({"type": "centre", "centre": self.centre})
        n = len(x)
        h = self._history
        if n >= len(h):
            h[:] = x[-len(h):]
        else:
            h[:-n] = h[n:]
            h[-n:] = x
        self._filled = min(len(h), self._filled + n)
        self._newest = time.time()
        with self._lock:
            pages = list(self._pages)
        for page in pages:
            feed = page.state.get("_feed")
            if feed is not None:
                feed.put(x)
        now = time.monotonic()
        if pages and now - self._last_frame >= 1 / self.fps:
            self._last_frame = now
            for page in pages:
                self._frame(page)

    def handle_message(self, port, message):
        """A message on ``log``: a line on every page."""
        self.show(message if isinstance(message, str) else repr(message))

    def show(self, text: str) -> None:
        """A line in every page's log, now and for pages that open later (any thread)."""
        self.log.append(text)
        with self._lock:
            pages = list(self._pages)
        for page in pages:
            page.send({"type": "log", "text": text})

    def _frame(self, page):
        if self.scope:
            trace = self._history[-self.scope_length:]
            page.send(struct.pack("<BxxxIdd", 3, len(trace), self.rate, self._newest)
                      + trace.astype("<f4").tobytes())
            return
        size, avg = page.state["fft"], page.state["avg"]
        have = min(self._filled, 8 * size)
        if have < size:
            return
        segments = have // size
        x = self._history[len(self._history) - segments * size:].reshape(segments, size)
        window = self._windows.get(size)
        if window is None:
            window = self._windows[size] = get_window("blackmanharris", size).astype(np.float32)
        spectra = np.fft.fftshift(np.fft.fft(x * window, axis=1), axes=1)
        power = np.mean(spectra.real ** 2 + spectra.imag ** 2, axis=0) / window.sum() ** 2
        smooth = page.state.get("_spectrum")
        if smooth is None or len(smooth) != size:
            smooth = power
        else:
            smooth = avg * smooth + (1 - avg) * power
        page.state["_spectrum"] = smooth
        db = 10 * np.log10(np.maximum(smooth, 1e-30))
        levels = np.clip(np.rint((db - DB_MIN) * (255 / (DB_MAX - DB_MIN))), 0, 255).astype(np.uint8)
        header = struct.pack("<BxxxIdddff", 1, size, self.centre or 0.0, self.rate, self._newest,
                             DB_MIN, DB_MAX)
        page.send(header + levels.tobytes())

    def counters(self) -> dict:
        if self.server is None:
            return {}
        pages = [p for p in self.server.pages if p.sink is self]
        return {"pages": len(pages), "frames_sent": sum(p.sent for p in pages),
                "frames_dropped": sum(p.dropped for p in pages)}


class _Warnings(logging.Handler):
    """sdrflow's warnings as lines in a sink's pages: those logged by the threads of the sink's
    own flowgraph (a source refuses a retune in its thread, after the page's command was
    taken), not another graph's in the same process."""

    def __init__(self, sink):
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record):
        node = self.sink._node
        if node is None or node.worker is None:
            return
        if record.thread not in {w.thread.ident for w in node.worker.runtime.workers}:
            return
        try:
            self.sink.show(f"{record.levelname.lower()}: {record.getMessage()}")
        except RuntimeError:  # the server's loop closed while the sink stops: nobody to tell
            pass


class _RDSToPage(Block):
    """Sends a page what its receiver's RDS says, when it changes: ``{"type": "rds",
    "generation": …, "pi": …, "ps": …, "playing": …, "af": […], "others": {…}}``
    (``playing``: what RadioText+ says is playing; ``af``: the alternative frequencies in kHz;
    ``others``: the names of other networks it announces, by PI); a retune (a new generation)
    starts afresh."""

    message_inputs = ("in",)
    KEYS = ("pi", "callsign", "prog_type", "ps", "radiotext")

    def __init__(self, page, info):
        self.page, self.info = page, info
        self.said, self.generation = {}, None

    def handle_message(self, port, fields):
        from ._rds import alternative_frequencies, playing

        if self.info["generation"] != self.generation:
            self.said, self.generation = {}, self.info["generation"]
        news = {k: fields[k] for k in self.KEYS if k in fields}
        song = playing(fields)
        if song:
            news["playing"] = song
        af = alternative_frequencies(fields)
        if af:
            news["af"] = af
        other = fields.get("other_network", {})
        if "ps" in other:
            news["others"] = {**self.said.get("others", {}), other["pi"]: other["ps"]}
        if any(self.said.get(k) != v for k, v in news.items()):
            self.said.update(news)
            self.page.send({"type": "rds", "generation": self.generation, **self.said})
