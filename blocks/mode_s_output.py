import json
import logging
import socket
import sys
import threading
import time
from datetime import datetime

from sdrflow.block import Block

from ._out import print_out, silence_stdout

log = logging.getLogger(__name__)


def beast(raw: str, time_s: float, signal: int = 0) -> bytes:
    """One Mode S frame in the Beast binary format: 0x1a, '2' (56 bits) or '3' (112 bits), a
    6-byte 12 MHz timestamp, a signal byte and the frame, every 0x1a inside doubled."""
    frame = bytes.fromhex(raw)
    body = (int(time_s * 12e6) & 0xFFFFFFFFFFFF).to_bytes(6, "big") + bytes([signal & 0xFF]) + frame
    kind = b"3" if len(frame) == 14 else b"2"
    return b"\x1a" + kind + body.replace(b"\x1a", b"\x1a\x1a")


def sbs(fields: dict, when: datetime) -> str | None:
    """One BaseStation (SBS-1) line, as dump1090 serves on port 30003, from a frame's decoded
    fields (ModeSDecoder's): MSG type 1 identification, 3 airborne position, 4 velocity,
    5 surveillance altitude, 6 surveillance squawk, 7 air-to-air, 8 all-call. None for a frame
    that has no SBS message."""
    df, tc = fields.get("df"), fields.get("typecode")
    if df in (17, 18) and tc is not None:
        kind = 1 if 1 <= tc <= 4 else 3 if 9 <= tc <= 18 or 20 <= tc <= 22 else 4 if tc == 19 else 2 if 5 <= tc <= 8 else None
    else:
        kind = {0: 5, 4: 5, 20: 5, 5: 6, 21: 6, 16: 7, 11: 8}.get(df)
    icao = fields.get("icao")
    if kind is None or not icao:
        return None

    def val(key, fmt="{}"):
        v = fields.get(key)
        return "" if v is None else fmt.format(v)

    flag = lambda key: "" if fields.get(key) is None else ("-1" if fields[key] else "0")
    stamp = f"{when:%Y/%m/%d},{when:%H:%M:%S}.{when.microsecond // 1000:03d}"
    callsign = (fields.get("callsign") or "").strip("_ #")
    on_ground = 1 if kind == 2 else None
    row = ["MSG", str(kind), "1", "1", str(icao).upper(), "1", stamp, stamp, callsign,
           val("altitude"), val("groundspeed", "{:.0f}"), val("track", "{:.1f}"),
           val("latitude", "{:.5f}"), val("longitude", "{:.5f}"), val("vertical_rate"),
           val("squawk"), flag("alert"), flag("emergency"), flag("spi"),
           "" if on_ground is None else "-1"]
    return ",".join(row)


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
    """dump1090's outputs for Mode S frames: ``*HEX;`` lines (its ``--raw``), JSON lines or an
    aircraft table on standard output, raw frames on TCP (dump1090's 30002), BaseStation
    (SBS-1) lines on TCP (30003) and Beast binary on TCP (30005), which tar1090, Virtual Radar
    Server and feeder clients read. Takes ``ModeSDemod``'s ``frames`` messages, or better
    ``ModeSDecoder``'s, which carry the fields the SBS lines and the table show.

    The table (``stdout="table"``) is redrawn at most once a second on a terminal (ICAO,
    callsign, squawk, altitude, speed, track, vertical rate, position, messages, seconds since
    last heard); when standard output is not a terminal it is printed once, at the end. An
    aircraft not heard for ``ttl`` seconds leaves the table, as in dump1090's interactive mode.

    Signature: message ``in`` ->

    Parameters
    ----------
    stdout : str
        "raw" (``*8d4d2023…;``), "json", "table", or "" for nothing.
    raw_port, beast_port, sbs_port : int, optional
        TCP ports for raw frames, Beast binary and SBS-1 lines (None: not served; 0: any free
        port).
    bind : str
        Address of the ports; 127.0.0.1 unless they are to be reached from elsewhere.
    ttl : float
        Seconds an aircraft stays in the table after its last frame (dump1090's
        ``--interactive-ttl``, 60).

    Example: ``ModeSOutput(raw_port=30002, sbs_port=30003, beast_port=30005)``
    """

    message_inputs = ("in",)

    def __init__(self, stdout: str = "raw", raw_port: int | None = None,
                 beast_port: int | None = None, bind: str = "127.0.0.1",
                 sbs_port: int | None = None, ttl: float = 60.0):
        if stdout not in ("raw", "json", "table", ""):
            raise ValueError(f"ModeSOutput: stdout must be raw, json, table or '', got {stdout!r}")
        if not ttl > 0:
            raise ValueError(f"ModeSOutput: ttl must be > 0 s, got {ttl!r}")
        self.ttl = float(ttl)
        self.stdout, self.raw_port, self.beast_port, self.bind = stdout, raw_port, beast_port, bind
        self.sbs_port = sbs_port
        self.frames = 0
        self.aircraft = {}  # ICAO -> latest fields, message count, last heard (monotonic s)
        self._drawn = 0.0  # when the table was last drawn (monotonic s)
        self._pruned = 0.0  # when aircraft not heard for ttl s were last removed (monotonic s)
        self._servers = {}

    def start(self, rate):
        try:
            if self.raw_port is not None:
                self._servers["raw"] = _Broadcast(self.bind, self.raw_port, f"{self.name}-raw")
                self.raw_port = self._servers["raw"].port
            if self.beast_port is not None:
                self._servers["beast"] = _Broadcast(self.bind, self.beast_port, f"{self.name}-beast")
                self.beast_port = self._servers["beast"].port
            if self.sbs_port is not None:
                self._servers["sbs"] = _Broadcast(self.bind, self.sbs_port, f"{self.name}-sbs")
                self.sbs_port = self._servers["sbs"].port
        except OSError as e:
            self.stop()
            raise ValueError(f"ModeSOutput: cannot listen on {self.bind}: {e.strerror}") from e

    def handle_message(self, port, message):
        if not isinstance(message, dict) or "raw" not in message:
            raise ValueError(f"{self.name}: expected a Mode S frame message, got {message!r}")
        raw = message["raw"]
        line = f"*{raw};"
        self.frames += 1
        icao = str(message.get("icao") or "").upper()
        if icao:
            entry = self.aircraft.setdefault(icao, {"messages": 0})
            entry.update({k: v for k, v in message.items() if v is not None})
            entry["messages"] += 1
            entry["heard"] = now = time.monotonic()
            if now - self._pruned >= 1.0:  # aircraft gone quiet leave the table
                self._pruned = now
                for gone in [k for k, e in self.aircraft.items() if now - e["heard"] > self.ttl]:
                    del self.aircraft[gone]
        try:
            if self.stdout == "raw":
                print_out(self, line + "\n")
            elif self.stdout == "json":
                print_out(self, json.dumps(message, default=str) + "\n")
            elif self.stdout == "table" and sys.stdout.isatty() and \
                    time.monotonic() - self._drawn >= 1.0:
                print_out(self, "\x1b[H\x1b[2J" + self.table())
                self._drawn = time.monotonic()
        except BrokenPipeError:  # the reader of stdout left (| head): the network goes on
            self.stdout = ""
            silence_stdout()
        if "raw" in self._servers:
            self._servers["raw"].send((line + "\n").encode())
        if "beast" in self._servers:
            self._servers["beast"].send(beast(raw, message.get("time", 0.0)))
        if "sbs" in self._servers:
            text = sbs(message, datetime.now())
            if text:
                self._servers["sbs"].send((text + "\r\n").encode())

    def table(self) -> str:
        """The aircraft heard in the last ``ttl`` seconds, most recently heard first, as
        dump1090 --interactive."""
        now = time.monotonic()
        head = f"{'ICAO':6} {'Flight':8} {'Sqwk':4} {'Alt ft':>6} {'Spd kt':>6} {'Hdg':>4} " \
               f"{'V/S':>6} {'Lat':>9} {'Lon':>10} {'Msgs':>5} {'Seen':>5}"
        rows = [head, "-" * len(head)]
        num = lambda e, k, f: "" if e.get(k) is None else format(e[k], f)
        heard = [(icao, e) for icao, e in self.aircraft.items() if now - e["heard"] <= self.ttl]
        for icao, e in sorted(heard, key=lambda kv: -kv[1]["heard"]):
            rows.append(f"{icao:6} {(e.get('callsign') or '').strip('_ #'):8} {e.get('squawk') or '':4} "
                        f"{num(e, 'altitude', 'd'):>6} {num(e, 'groundspeed', '.0f'):>6} "
                        f"{num(e, 'track', '.0f'):>4} {num(e, 'vertical_rate', 'd'):>6} "
                        f"{num(e, 'latitude', '.4f'):>9} {num(e, 'longitude', '.4f'):>10} "
                        f"{e['messages']:>5} {now - e['heard']:>4.0f}s")
        return "\n".join(rows) + "\n"

    def counters(self) -> dict:
        return {"frames": self.frames, "aircraft": len(self.aircraft),
                "clients_dropped": sum(s.dropped for s in self._servers.values())}

    def stop(self):
        if self.stdout == "table" and self.aircraft:
            try:
                print_out(self, ("\x1b[H\x1b[2J" if sys.stdout.isatty() else "") + self.table())
            except BrokenPipeError:
                pass
        for server in self._servers.values():
            server.close()
        self._servers = {}
