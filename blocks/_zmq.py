"""What the ZeroMQ blocks share: CURVE encryption and authentication (ZeroMQ's own, through
pyzmq and the libsodium it bundles), and the counters of refused peers.

The binding side is the CURVE server: it holds its key pair and accepts only the client public
keys it is given (``clients``: files or a folder of ``*.key``), checked by a ZAP handler that
counts every refusal; a peer that does not speak CURVE at all fails the handshake, counted
from the socket's monitor. The connecting side holds its own key pair and the server's public
key. Key files are ZeroMQ's certificate format, written by ``sdrflow keygen NAME``.
"""
from __future__ import annotations

import os
import threading

import zmq


def load_public(path) -> bytes:
    import zmq.auth

    public, _ = zmq.auth.load_certificate(str(path))
    return public


def load_pair(path) -> tuple:
    import zmq.auth

    public, secret = zmq.auth.load_certificate(str(path))
    if secret is None:
        raise ValueError(f"{path} holds no secret key: give NAME.key_secret (sdrflow keygen NAME)")
    return public, secret


class Curve:
    """CURVE settings of one socket, applied at start; counts refused peers."""

    def __init__(self, secret, server_key=None, clients=None):
        self.secret, self.server_key, self.clients = secret, server_key, clients
        self.public, self.secret_key = load_pair(secret)  # checked where it is made
        self.server_public = load_public(server_key) if server_key else None
        self.allowed = set()
        for item in clients or ():
            if os.path.isdir(item):
                import zmq.auth

                self.allowed |= {k for k in zmq.auth.load_certificates(str(item))}
            else:
                self.allowed.add(load_public(item))
        self.denied = self.handshakes_failed = 0
        self._auth = self._monitor = None

    def apply(self, socket, context, bind: bool, who: str) -> None:
        socket.curve_secretkey = self.secret_key
        socket.curve_publickey = self.public
        if bind:
            if not self.allowed:
                raise ValueError(f"{who}: a CURVE server needs the client keys it accepts "
                                 f"(clients=[...key files or a folder])")
            from zmq.auth.thread import ThreadAuthenticator

            self._auth = ThreadAuthenticator(context)
            self._auth.start()
            self._auth.configure_curve_callback("*", credentials_provider=self)
            socket.curve_server = True
            self._watch(socket)
        else:
            if self.server_public is None:
                raise ValueError(f"{who}: a CURVE client needs the server's public key (server_key=)")
            socket.curve_serverkey = self.server_public

    def callback(self, domain, z85_key) -> bool:
        """The ZAP handler's question: is this client's key on the list?"""
        from zmq.utils import z85

        if z85.decode(z85_key) in {k if len(k) == 32 else z85.decode(k) for k in self.allowed}:
            return True
        self.denied += 1
        return False

    def _watch(self, socket):
        events = (zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
                  | zmq.EVENT_HANDSHAKE_FAILED_AUTH)
        monitor = socket.get_monitor_socket(events)
        self._stop = threading.Event()

        def run():
            from zmq.utils.monitor import recv_monitor_message

            while not self._stop.is_set():
                if monitor.poll(100):
                    event = recv_monitor_message(monitor)
                    if event["event"] & (zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL
                                         | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL):
                        self.handshakes_failed += 1
            monitor.close(0)

        self._monitor = threading.Thread(target=run, daemon=True)
        self._monitor.start()

    def close(self, socket) -> None:
        if self._monitor is not None:
            self._stop.set()
            self._monitor.join(timeout=2)
            try:
                socket.disable_monitor()
            except zmq.ZMQError:
                pass
            self._monitor = None
        if self._auth is not None:
            self._auth.stop()
            self._auth = None

    def counters(self) -> dict:
        return {"curve_denied": self.denied, "curve_handshakes_failed": self.handshakes_failed}


class Secured:
    """Mixin of the ZeroMQ stream blocks: ``.secure()`` sets up CURVE, applied at start."""

    curve = None

    def secure(self, secret, server_key=None, clients=None):
        """Encrypt and authenticate this link with CURVE. ``secret``: this side's
        ``NAME.key_secret`` (``sdrflow keygen NAME``); a connecting side gives the server's
        public ``server_key``, a binding side the client public keys it accepts (``clients``:
        files, or a folder of ``*.key``). Returns the block, for chaining."""
        self.curve = Curve(secret, server_key, clients)
        return self

    def _connect(self, socket_type, options: dict) -> None:
        """Open ``self._socket`` of ``socket_type`` with ``options`` ({zmq option: value}, set
        in order), secured if ``secure()`` asked, then bind or connect ``self.address``;
        refused with the reason, nothing left open."""
        self._context = zmq.Context()
        self._socket = self._context.socket(socket_type)
        for option, value in options.items():
            self._socket.setsockopt(option, value)
        try:
            if self.curve is not None:
                self.curve.apply(self._socket, self._context, self.bind, self.name)
            (self._socket.bind if self.bind else self._socket.connect)(self.address)
        except (zmq.ZMQError, ValueError) as e:
            self._close()
            raise ValueError(f"cannot {'bind' if self.bind else 'connect'} {self.address}: "
                             f"{e}") from e

    def _close(self):
        """Close the socket, its CURVE helpers and its context (once; again does nothing)."""
        if self._socket is not None:
            if self.curve is not None:
                self.curve.close(self._socket)
            self._socket.close()
            self._context.term()
            self._socket = None

    def _with_curve(self, counts: dict) -> dict:
        """``counts`` and, on a secured link, CURVE's refusals."""
        return {**counts, **self.curve.counters()} if self.curve else counts
