import logging
import socket
import struct
import time

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.errors import SourceFailed

from ._rtl import (DIRECT_SAMPLING, TUNERS, check_rtl_rate, check_rtl_tuning, check_tuner_range,
                   conversion_table, cu8_out, direct_branch, host_time, tuner_reaches)

log = logging.getLogger(__name__)

# rtl_tcp commands: 1 byte code + u32 big-endian parameter (src/rtl_tcp.c)
SET_FREQUENCY, SET_RATE, SET_GAIN_MODE, SET_GAIN, SET_CORRECTION = 0x01, 0x02, 0x03, 0x04, 0x05
SET_AGC, SET_DIRECT_SAMPLING, SET_OFFSET_TUNING, SET_BIAS_TEE = 0x08, 0x09, 0x0A, 0x0E


class RtlTcpSource(Block):
    """An RTL-SDR on another host, through ``rtl_tcp``.

    Connects, reads the 12-byte ``RTL0`` greeting (tuner type, gain count), sends rate,
    frequency, gain, correction and the dongle's switches as 5-byte commands, then converts the
    cu8 stream to complex64 (``(b − 127.5) / 127.5``). All but the rate can change while
    running (message ``{"frequency": Hz}`` …); a retune is tagged ``rx_freq``, the start
    ``rx_rate``, ``rx_freq`` and ``rx_time``. When the server closes the connection, or sends
    nothing for ``timeout`` seconds (an unplugged dongle), the stream ends, sinks keep what
    arrived, and the run fails with the reason (exit code 1); ``samples`` counts what arrived.

    At a retune, what the socket already holds came from before it and is discarded, counted
    in ``samples_stale``: a client that fell behind (a graph loading its kernels, a stall) has
    up to seconds of it in the kernel's buffers, far more than ``retune_settle`` covers.

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
    bias_tee, offset_tuning, rtl_agc : bool
        Power the antenna; the E4000's offset tuning; the RTL2832's own AGC.
    direct_sampling : str, optional
        ``"i"`` or ``"q"``: sample that branch directly, for HF (0–28.8 MHz).

    Example: ``RtlTcpSource(98.5e6, rate=2.4e6, host="pi.local", gain=29.7)``
    """

    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)
    own_thread = True  # reads wait on the network
    #: Seconds after a retune that may still hold samples from before it: the server's buffers
    #: and the network's (a sweep skips them; 10 ms, enough for a local dongle, left ghosts of
    #: the previous hop's stations over rtl_tcp).
    retune_settle = 0.2

    def __init__(self, frequency: float, rate: float = 2.4e6, host: str = "127.0.0.1",
                 port: int = 1234, gain: float | None = None, correction_ppm: int = 0,
                 timeout: float = 5.0, bias_tee: bool = False, direct_sampling=None,
                 offset_tuning: bool = False, rtl_agc: bool = False):
        self.sample_rate = check_rtl_rate(rate, "RtlTcpSource")
        check_rtl_tuning(frequency, correction_ppm, "RtlTcpSource")
        self.direct_sampling = direct_branch(direct_sampling, "RtlTcpSource")
        if self.direct_sampling:
            check_tuner_range(frequency, self.direct_sampling, "RtlTcpSource")
        self.bias_tee, self.offset_tuning = bool(bias_tee), bool(offset_tuning)
        self.rtl_agc = bool(rtl_agc)
        if not timeout > 0:
            raise ValueError(f"RtlTcpSource: timeout must be > 0 s, got {timeout!r}")
        self.frequency, self.gain, self.correction_ppm = float(frequency), gain, int(correction_ppm)
        self.host, self.port, self.timeout = host, int(port), float(timeout)
        self.tuner, self.gain_count, self.samples, self.samples_stale = None, 0, 0, 0
        self._sock, self._odd = None, None

    def output_rate(self, rate):
        return self.sample_rate

    def _command(self, code: int, value: int) -> None:
        if self._sock is not None:
            self._sock.sendall(struct.pack(">BI", code, value & 0xFFFFFFFF))

    def set_frequency(self, frequency: float) -> None:
        check_rtl_tuning(frequency, 0, "RtlTcpSource")
        if self.direct_sampling:
            check_tuner_range(frequency, self.direct_sampling, self.name)
        # The greeting names the tuner. Below 28.8 MHz the server may sample directly.
        reach = tuner_reaches(frequency, self.tuner) if frequency > 28.8e6 else None
        if reach:
            raise ValueError(f"{self.name}: {frequency / 1e6:g} MHz is beyond the server's "
                             f"{self.tuner} tuner ({reach}); rtl_tcp would stay where it was")
        self.frequency = float(frequency)
        self._command(SET_FREQUENCY, int(round(frequency)))
        self._drop_received()
        self._retuned = True

    def _drop_received(self) -> None:
        """Discard what the socket holds now, until it has nothing more at once: all of it
        came before the retune just sent (on one host this empties the server's send buffer
        too). I/Q pairs stay aligned; 16 MB at most, so no server can hold it here."""
        sock = self._sock
        if sock is None:
            return
        dropped, last = (0, None) if self._odd is None else (1, self._odd)
        self._odd = None
        budget, scratch = 16 << 20, bytearray(65536)
        timeout = sock.gettimeout()
        sock.setblocking(False)
        try:
            while dropped < budget:
                got = sock.recv_into(scratch)
                if not got:  # closed: the next read sees it too
                    break
                dropped, last = dropped + got, scratch[got - 1]
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.settimeout(timeout)
        if dropped % 2:  # the last byte is the I of a sample still to come
            self._odd, dropped = last, dropped - 1
        self.samples_stale += dropped // 2

    def set_gain(self, gain) -> None:
        self.gain = gain
        self._command(SET_GAIN_MODE, 0 if gain is None else 1)
        if gain is not None:
            self._command(SET_GAIN, int(round(float(gain) * 10)))  # tenths of dB

    def set_correction_ppm(self, ppm: int) -> None:
        self.correction_ppm = int(ppm)
        self._command(SET_CORRECTION, self.correction_ppm)

    def set_direct_sampling(self, mode) -> None:
        """``"i"``, ``"q"`` or None (the tuner again), as librtlsdr takes it: a frequency for
        the new mode follows (``{"direct_sampling": "q", "frequency": 7.1e6}``)."""
        self.direct_sampling = mode = direct_branch(mode, self.name)
        self._command(SET_DIRECT_SAMPLING, DIRECT_SAMPLING[mode])

    def set_offset_tuning(self, on: bool) -> None:
        self.offset_tuning = bool(on)
        self._command(SET_OFFSET_TUNING, int(self.offset_tuning))

    def set_rtl_agc(self, on: bool) -> None:
        self.rtl_agc = bool(on)
        self._command(SET_AGC, int(self.rtl_agc))

    def set_bias_tee(self, on: bool) -> None:
        self.bias_tee = bool(on)
        self._command(SET_BIAS_TEE, int(self.bias_tee))

    def start(self, rate):
        self._lut = conversion_table()  # before the server sends
        self._odd, self.samples_stale = None, 0
        try:
            self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as e:
            raise SourceFailed(f"cannot connect to rtl_tcp at {self.host}:{self.port}: {e}; is "
                               f"`rtl_tcp -a {self.host}` running there?") from e
        greeting = b""
        deadline = time.monotonic() + self.timeout  # for the whole greeting, not per byte
        try:
            while len(greeting) < 12:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise socket.timeout()
                self._sock.settimeout(left)
                part = self._sock.recv(12 - len(greeting))
                if not part:
                    break
                greeting += part
        except OSError as e:
            self._close()
            why = (f"only {len(greeting)} of 12 bytes in {self.timeout:g} s"
                   if isinstance(e, socket.timeout) else str(e))
            raise SourceFailed(f"rtl_tcp at {self.host}:{self.port} sent no greeting: {why}") from e
        if len(greeting) < 12 or greeting[:4] != b"RTL0":
            self._close()
            raise SourceFailed(f"{self.host}:{self.port} is not rtl_tcp (its greeting was "
                               f"{greeting[:12]!r}, expected b'RTL0' + tuner + gain count)")
        tuner, self.gain_count = struct.unpack(">II", greeting[4:12])
        self.tuner = TUNERS.get(tuner, f"type {tuner}")
        self._command(SET_RATE, int(self.sample_rate))
        if self.direct_sampling:  # before the frequency, which it changes the meaning of
            self._command(SET_DIRECT_SAMPLING, DIRECT_SAMPLING[self.direct_sampling])
        for code, on in ((SET_OFFSET_TUNING, self.offset_tuning), (SET_AGC, self.rtl_agc),
                         (SET_BIAS_TEE, self.bias_tee)):
            if on:
                self._command(code, 1)
        try:
            self.set_frequency(self.frequency)
        except ValueError:
            self._close()  # refused: nothing left open
            raise
        self.set_gain(self.gain)
        if self.correction_ppm:
            self.set_correction_ppm(self.correction_ppm)
        self._sock.settimeout(0.1)  # short waits, so a stop is noticed
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
            raise SourceFailed(f"connection to rtl_tcp lost after {self.samples} samples: {e}")
        if got == 0:
            if self.stopping:
                return None
            raise SourceFailed(f"rtl_tcp closed the connection after {self.samples} samples")
        if got is None:
            if self.stopping:
                return None
            if time.monotonic() - self._last_data > self.timeout:
                raise SourceFailed(f"no data from rtl_tcp for {self.timeout:g} s (dongle "
                                   f"unplugged?) after {self.samples} samples")
            got = 0
        else:
            self._last_data = time.monotonic()
        total = have + got
        if total % 2:
            self._odd = raw[total - 1]
            total -= 1
        out = cu8_out(self, raw[:total], self._lut)
        if total and (self._first or self._retuned):
            self.add_tag(0, "rx_freq", self.frequency)
            if self._first:
                self.add_tag(0, "rx_rate", self.sample_rate)
                self.add_tag(0, "rx_time", host_time(time.time() - len(out) / self.sample_rate))
            self._first = self._retuned = False
        self.samples += len(out)
        return out

    def _close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def counters(self) -> dict:
        """Samples received and delivered (``samples``), and discarded at retunes, the first
        tune in ``start`` included (what the server sent before it, at its old frequency)."""
        return {"samples": self.samples, "samples_stale": self.samples_stale}

    def stop(self):
        self._close()
