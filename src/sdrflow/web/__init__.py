"""The browser view's server: one aiohttp server per port, in a thread of its own, serving the
page (plain HTML/JS from ``static/``, no CDN, no build step) and a WebSocket per open page.

Web sinks register with the server of their port; the graph never waits for a browser: what a
sink sends goes into the page's bounded queue, and a page too slow to take it gets frames
dropped and counted. Bound to loopback the server is open; bound to any other address it
requires the token printed at start (``?token=…`` in the URL, as Jupyter does) and answers 403
without it.
"""
from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import secrets
import threading

log = logging.getLogger(__name__)

STATIC = os.path.join(os.path.dirname(__file__), "static")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
QUEUE = 8  # frames queued per page before dropping


class Page:
    """One open page: its WebSocket, its queue, and what it asked for."""

    def __init__(self, server, ws, sink):
        self.server, self.ws, self.sink = server, ws, sink
        self.id = next(server.ids)
        self.queue = asyncio.Queue(QUEUE)
        self.dropped = self.sent = 0
        self.state = {}  # the sink's per-page state (receiver, FFT size …)

    def send(self, data) -> None:
        """From any thread: queue ``data`` (bytes or a dict as JSON); drop it when the page is slow."""
        self.server.loop.call_soon_threadsafe(self._put, data)

    def _put(self, data):
        try:
            self.queue.put_nowait(data)
        except asyncio.QueueFull:
            self.dropped += 1


class WebServer:
    """The server of one port; ``WebServer.at(port, bind)`` shares it between sinks."""

    _servers: dict = {}
    _lock = threading.Lock()

    @classmethod
    def at(cls, port: int, bind: str = "127.0.0.1", token: str | None = None) -> "WebServer":
        with cls._lock:
            server = cls._servers.get(port) if port else None  # port 0: a new one, any free port
            if server is None or not server.running:
                server = cls(port, bind, token)
                if port:
                    cls._servers[port] = server
            return server

    def __init__(self, port: int, bind: str, token: str | None):
        import itertools

        self.port, self.bind = int(port), bind
        self.token = token if token else (None if bind in LOOPBACK else secrets.token_urlsafe(16))
        self.sinks: dict = {}
        self.pages: list[Page] = []
        self.ids = itertools.count(1)
        self.loop = None
        self.running = False
        self._users = 0

    # -- lifetime -----------------------------------------------------------------------------
    def open(self, sink) -> None:
        """Register ``sink`` (start the server with the first one)."""
        self.sinks[sink.title] = sink
        self._users += 1
        if self.running:
            return
        try:
            from aiohttp import web  # noqa: F401
        except ImportError as e:
            raise ValueError("the browser view needs aiohttp: pip install 'sdrflow[web]'") from e
        ready, failure = threading.Event(), []
        self.thread = threading.Thread(target=self._serve, args=(ready, failure), daemon=True,
                                       name=f"sdrflow-web-{self.port}")
        self.thread.start()
        ready.wait()
        if failure:
            raise ValueError(f"cannot serve the browser view on {self.bind}:{self.port}: {failure[0]}")
        self.running = True

    def close(self, sink) -> None:
        self.sinks.pop(sink.title, None)
        self._users -= 1
        if self._users <= 0 and self.running:
            self.running = False
            asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(timeout=10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.bind in ("0.0.0.0", "::") else self.bind
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    def _serve(self, ready, failure):
        from aiohttp import web

        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/api/state", self._state)
        app.router.add_static("/static/", STATIC)
        self.runner = web.AppRunner(app, access_log=None)
        try:
            self.loop.run_until_complete(self.runner.setup())
            site = web.TCPSite(self.runner, self.bind, self.port)
            self.loop.run_until_complete(site.start())
            if self.port == 0:
                self.port = site._server.sockets[0].getsockname()[1]
        except OSError as e:
            failure.append(e.strerror or str(e))
            ready.set()
            return
        ready.set()
        self.loop.run_forever()
        self.loop.close()

    async def _shutdown(self):
        for page in list(self.pages):
            await page.ws.close()
        await self.runner.cleanup()

    # -- handlers -----------------------------------------------------------------------------
    def _allowed(self, request) -> bool:
        return self.token is None or secrets.compare_digest(request.query.get("token", ""), self.token)

    async def _index(self, request):
        from aiohttp import web

        if not self._allowed(request):
            return web.Response(status=403, text="403: this sdrflow view needs its token: open the "
                                                 "URL sdrflow printed at start (…/?token=…)\n")
        return web.FileResponse(os.path.join(STATIC, "index.html"))

    async def _state(self, request):
        from aiohttp import web

        if not self._allowed(request):
            return web.Response(status=403, text="403\n")
        state = {"sinks": {t: s.describe() for t, s in self.sinks.items()},
                 "pages": [{"id": p.id, "sink": p.sink.title, "sent": p.sent, "dropped": p.dropped,
                            **{k: v for k, v in p.state.items() if not k.startswith("_")}}
                           for p in self.pages]}
        return web.json_response(state)

    async def _websocket(self, request):
        from aiohttp import WSMsgType, web

        if not self._allowed(request):
            return web.Response(status=403, text="403\n")
        title = request.query.get("sink") or next(iter(self.sinks), None)
        sink = self.sinks.get(title)
        if sink is None:
            return web.Response(status=404, text=f"no web sink {title!r}\n")
        ws = web.WebSocketResponse(max_msg_size=65536, heartbeat=20)
        await ws.prepare(request)
        page = Page(self, ws, sink)
        self.pages.append(page)
        sink.page_opened(page)
        sender = asyncio.ensure_future(self._send_loop(page))
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    command = json.loads(msg.data, parse_float=_finite, parse_constant=_finite)
                    if not isinstance(command, dict):
                        raise ValueError("not an object")
                    sink.page_command(page, command)
                except (ValueError, TypeError, KeyError, ArithmeticError) as e:
                    page.send({"type": "error", "message": str(e)})
        finally:
            sender.cancel()
            self.pages.remove(page)
            sink.page_closed(page)
        return ws

    async def _send_loop(self, page):
        while True:
            data = await page.queue.get()
            if isinstance(data, (bytes, bytearray)):
                await page.ws.send_bytes(data)
            else:
                await page.ws.send_str(json.dumps(data))
            page.sent += 1


def _finite(text: str) -> float:
    """A JSON number of a page's command: NaN, Infinity and 1e999 are refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"numbers must be finite, got {text}")
    return value
