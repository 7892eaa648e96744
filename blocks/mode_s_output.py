import json
import logging
import os
import socket
import sys
import threading

from sdrflow.block import Block

log = logging.getLogger(__name__)


def beast(raw: str, time_s: float, signal: int = 0) -> bytes:
    """One Mode S frame in the Beast binary format: 0x1a, '2' (56 bits) or '3' (112 bits), a
    6-byte 12 MHz timestamp, a signal byte and the frame, every 0x1a inside doubled."""
    frame = bytes.fromhex(raw)
    body = (int(time_s * 12e6) & 0xFFFFFFFFFFFF).to_bytes(6, "big") + bytes([signal & 0xFF]) + frame
    kind = b"3" if len(frame) == 14 else b"2"
    return b"\x1a" + kind + body.replace(b"\x1a", b"\x1a\x1a")


class _Broadcast:
    """A TCP port that sends every line to every client; a client that cannot keep up is
    dropped (counted), so nobody can make the graph wait or memory grow."""

    def __init__(self, bind, port, name):
        self.server = socket.create_server((bind, port))
        self.port = self.server.getsockname()[1]
        self.server.settimeout(0.2)
        self.clients, self.dropped, self.name = [], 0, name
        self.lock, self.quit = threading.Lock(), threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True, name=name)
        self.thread.start()

    def _accept(self):
        while not self.quit.is_set():
            try:
                conn, _ = self.server.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.setblocking(False)
            with self.lock:
                self.clients.append(conn)

    def send(self, data: bytes):
        with self.lock:
            for conn in list(self.clients):
                try:
                    conn.send(data)
                except (BlockingIOError, OSError):  # full send buffer or gone: let it go
                    self.clients.remove(conn)
                    self.dropped += 1
                    conn.close()

    def close(self):
        self.quit.set()
        self.thread.join(timeout=2)
        self.server.close()
        with self.lock:
            for conn in self.clients:
                conn.close()
            self.clients = []


class ModeSOutput(Block):
    """dump1090's outputs for Mode S frames: ``*HEX;`` lines (its ``--raw``) or JSON lines on
    standard output, raw frames on TCP (dump1090's 30002) and Beast binary on TCP (30005),
    which tar1090, Virtual Radar Server and feeder clients read. Takes ``ModeSDemod``'s
    ``frames`` messages.

    Signature: message ``in`` ->

    Parameters
    ----------
    stdout : str
        "raw" (``*8d4d2023…;``), "json", or "" for nothing.
    raw_port, beast_port : int, optional
        TCP ports for raw frames and Beast binary (None: not served; 0: any free port).
    bind : str
        Address of the ports; 127.0.0.1 unless they are to be reached from elsewhere.

    Example: ``ModeSOutput(raw_port=30002, beast_port=30005)``
    """

    message_inputs = ("in",)

    def __init__(self, stdout: str = "raw", raw_port: int | None = None,
                 beast_port: int | None = None, bind: str = "127.0.0.1"):
        if stdout not in ("raw", "json", ""):
            raise ValueError(f"ModeSOutput: stdout must be raw, json or '', got {stdout!r}")
        self.stdout, self.raw_port, self.beast_port, self.bind = stdout, raw_port, beast_port, bind
        self.frames = 0
        self._servers = {}

    def start(self, rate):
        try:
            if self.raw_port is not None:
                self._servers["raw"] = _Broadcast(self.bind, self.raw_port, f"{self.name}-raw")
                self.raw_port = self._servers["raw"].port
            if self.beast_port is not None:
                self._servers["beast"] = _Broadcast(self.bind, self.beast_port, f"{self.name}-beast")
                self.beast_port = self._servers["beast"].port
        except OSError as e:
            self.stop()
            raise ValueError(f"ModeSOutput: cannot listen on {self.bind}: {e.strerror}") from e

    def handle_message(self, port, message):
        if not isinstance(message, dict) or "raw" not in message:
            raise ValueError(f"{self.name}: expected a Mode S frame message, got {message!r}")
        raw = message["raw"]
        line = f"*{raw};"
        self.frames += 1
        try:
            if self.stdout == "raw":
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            elif self.stdout == "json":
                sys.stdout.write(json.dumps(message) + "\n")
                sys.stdout.flush()
        except BrokenPipeError:  # the reader of stdout left (| head): the network goes on
            self.stdout = ""
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        if "raw" in self._servers:
            self._servers["raw"].send((line + "\n").encode())
        if "beast" in self._servers:
            self._servers["beast"].send(beast(raw, message.get("time", 0.0)))

    def counters(self) -> dict:
        return {"frames": self.frames,
                "clients_dropped": sum(s.dropped for s in self._servers.values())}

    def stop(self):
        for server in self._servers.values():
            server.close()
        self._servers = {}
