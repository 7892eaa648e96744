import logging
import socket
import struct
import time

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.convert import u8_table, u8_to_c64

log = logging.getLogger(__name__)

# rtl_tcp commands: 1 byte code + u32 big-endian parameter (src/rtl_tcp.c)
SET_FREQUENCY, SET_RATE, SET_GAIN_MODE, SET_GAIN, SET_CORRECTION = 0x01, 0x02, 0x03, 0x04, 0x05
TUNERS = {0: "unknown", 1: "E4000", 2: "FC0012", 3: "FC0013", 4: "FC2580", 5: "R820T", 6: "R828D"}


def check_rtl_rate(rate: float, who: str) -> float:
    """RTL2832U rates: 225001–300000 or 900001–3200000 S/s (librtlsdr refuses the others)."""
    if not (225e3 < rate <= 300e3 or 900e3 < rate <= 3.2e6):
        raise ValueError(f"{who}: an RTL-SDR samples at 225001–300000 or 900001–3200000 S/s, "
                         f"got {rate:g} (2.4e6 is the usual stable maximum)")
    return float(rate)


def check_rtl_tuning(frequency: float, correction_ppm: int, who: str) -> None:
    if not 0 < frequency < 2**32:
        raise ValueError(f"{who}: frequency must be in (0, 4.29e9) Hz, got {frequency!r}")
    if int(correction_ppm) != correction_ppm or abs(correction_ppm) > 1000:
        raise ValueError(f"{who}: correction_ppm must be a whole number within ±1000, "
                         f"got {correction_ppm!r}")


def cu8_out(block, raw) -> np.ndarray:
    """cu8 bytes (an even count) to a complex64 output of ``block``, tagged ``rx_freq`` (and
    ``rx_rate`` on the first) after a start or retune; counts ``block.samples``."""
    out = block.buffer(len(raw) // 2, np.complex64)
    u8_to_c64(raw, block._lut, out)
    if len(out) and (block._first or block._retuned):
        block.add_tag(0, "rx_freq", block.frequency)
        if block._first:
            block.add_tag(0, "rx_rate", block.sample_rate)
        block._first = block._retuned = False
    block.samples += len(out)
    return out


class RtlTcpSource(Block):
    """An RTL-SDR on another host, through ``rtl_tcp``.

    Connects, reads the 12-byte ``RTL0`` greeting (tuner type, gain count), sends rate,
    frequency, gain and correction as 5-byte commands, then converts the cu8 stream to complex64
    (``(b − 127.5) / 127.5``). Frequency, gain and correction can change while running (message
    ``{"frequency": Hz}`` …); a retune is tagged ``rx_freq``. When the server closes the
    connection, or sends nothing for ``timeout`` seconds (an unplugged dongle), the stream
    ends with a warning; ``samples`` counts what arrived.

    Signature: -> complex64

    Parameters
    ----------
    frequency : float
        Centre frequency in Hz.
    rate : float
        Sample rate in Hz (225001–300000 or 900001–3200000).
    host : str
        rtl_tcp's host.
    port : int
        rtl_tcp's port (1234).
    gain : float, optional
        Tuner gain in dB; None = the tuner's automatic gain.
    correction_ppm : int
        Crystal correction in parts per million.
    timeout : float
        Seconds without data after which the stream ends.

    Example: ``RtlTcpSource(98.5e6, rate=2.4e6, host="pi.local", gain=29.7)``
    """

    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)
    own_thread = True  # reads wait on the network

    def __init__(self, frequency: float, rate: float = 2.4e6, host: str = "127.0.0.1",
                 port: int = 1234, gain: float | None = None, correction_ppm: int = 0,
                 timeout: float = 5.0):
        self.sample_rate = check_rtl_rate(rate, "RtlTcpSource")
        check_rtl_tuning(frequency, correction_ppm, "RtlTcpSource")
        if not timeout > 0:
            raise ValueError(f"RtlTcpSource: timeout must be > 0 s, got {timeout!r}")
        self.frequency, self.gain, self.correction_ppm = float(frequency), gain, int(correction_ppm)
        self.host, self.port, self.timeout = host, int(port), float(timeout)
        self.tuner, self.gain_count, self.samples = None, 0, 0
        self._sock = None

    def output_rate(self, rate):
        return self.sample_rate

    def _command(self, code: int, value: int) -> None:
        if self._sock is not None:
            self._sock.sendall(struct.pack(">BI", code, value & 0xFFFFFFFF))

    def set_frequency(self, frequency: float) -> None:
        check_rtl_tuning(frequency, 0, "RtlTcpSource")
        self.frequency = float(frequency)
        self._command(SET_FREQUENCY, int(round(frequency)))
        self._retuned = True

    def set_gain(self, gain) -> None:
        self.gain = gain
        self._command(SET_GAIN_MODE, 0 if gain is None else 1)
        if gain is not None:
            self._command(SET_GAIN, int(round(float(gain) * 10)))  # tenths of dB

    def set_correction_ppm(self, ppm: int) -> None:
        self.correction_ppm = int(ppm)
        self._command(SET_CORRECTION, self.correction_ppm)

    def start(self, rate):
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as e:
            raise ValueError(f"cannot connect to rtl_tcp at {self.host}:{self.port}: {e}; is "
                             f"`rtl_tcp -a {self.host}` running there?") from e
        greeting = b""
        try:
            while len(greeting) < 12:
                part = self._sock.recv(12 - len(greeting))
                if not part:
                    break
                greeting += part
        except OSError as e:
            self._close()
            raise ValueError(f"rtl_tcp at {self.host}:{self.port} sent no greeting: {e}") from e
        if len(greeting) < 12 or greeting[:4] != b"RTL0":
            self._close()
            raise ValueError(f"{self.host}:{self.port} is not rtl_tcp (its greeting was "
                             f"{greeting[:12]!r}, expected b'RTL0' + tuner + gain count)")
        tuner, self.gain_count = struct.unpack(">II", greeting[4:12])
        self.tuner = TUNERS.get(tuner, f"type {tuner}")
        self._command(SET_RATE, int(self.sample_rate))
        self.set_frequency(self.frequency)
        self.set_gain(self.gain)
        if self.correction_ppm:
            self.set_correction_ppm(self.correction_ppm)
        self._sock.settimeout(0.1)  # short waits, so a stop is noticed
        self._lut = u8_table()
        self._odd = None
        self._last_data = time.monotonic()
        self._retuned, self._first = False, True
        self.samples = 0

    def work(self, n):
        raw = self.scratch(2 * n + 1, np.uint8)
        have = 0
        if self._odd is not None:
            raw[0], have, self._odd = self._odd, 1, None
        try:
            got = self._sock.recv_into(memoryview(raw)[have:2 * n])
        except socket.timeout:
            got = None
        except OSError as e:
            log.warning("%s: connection lost after %d samples: %s", self.name, self.samples, e)
            return None
        if got == 0:
            log.warning("%s: rtl_tcp closed the connection after %d samples", self.name, self.samples)
            return None
        if got is None:
            if time.monotonic() - self._last_data > self.timeout:
                log.warning("%s: no data from rtl_tcp for %g s (dongle unplugged?); ending after "
                            "%d samples", self.name, self.timeout, self.samples)
                return None
            got = 0
        else:
            self._last_data = time.monotonic()
        total = have + got
        if total % 2:
            self._odd = raw[total - 1]
            total -= 1
        return cu8_out(self, raw[:total])

    def _close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def stop(self):
        self._close()
