import logging
import threading
import time

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.errors import SourceFailed

from ._rtl import (DIRECT_SAMPLING, MAX_RATE, TUNERS, CaptureRing, check_rtl_rate,
                   check_rtl_tuning, check_tuner_range, conversion_table, cu8_out, direct_branch,
                   host_time, snap_gain)

log = logging.getLogger(__name__)


class RtlSdrSource(Block):
    """An RTL-SDR dongle on this machine, streamed without silent loss (pyrtlsdr, librtlsdr).

    librtlsdr's asynchronous reader runs in a thread of its own and fills a ring of
    ``buffer_seconds`` of samples; the graph takes from the ring. If the graph falls behind, the
    oldest samples are dropped, counted exactly (``samples_dropped`` in ``fg.stats()``), the
    first sample after each gap is tagged ``overflow`` (value: samples lost) and a warning is
    logged at most once a second. cu8 is converted as ``(b − 127.5) / 127.5``.

    Tags: ``rx_rate`` first; ``rx_freq`` and ``rx_time`` (host clock, GNU Radio's (whole s,
    fractional s)) on the first sample, after every gap and at every retune. Frequency, gain
    and correction change by message (``{"frequency": 99.1e6}``) while the stream runs; the
    sample rate too (``{"sample_rate": 1.024e6}``, tagged ``rx_rate``) where ``rate_changes``
    says the graph allows it. An unplugged dongle ends the stream (sinks keep everything) and
    fails the run with the reason.

    Signature: -> complex64

    Parameters
    ----------
    frequency : float
        Centre frequency in Hz (R820T: 24–1766 MHz; 0–28.8 MHz with direct sampling).
    rate : float
        Sample rate in Hz (225001–300000 or 900001–3200000; 2.4e6 is the stable maximum).
    gain : float, optional
        Tuner gain in dB, snapped to the tuner's table; None = the tuner's automatic gain.
    correction_ppm : int
        Crystal correction in parts per million.
    device : int or str
        Device index, or serial number (as ``rtl_eeprom`` shows it).
    bias_tee : bool
        Power an active antenna through the coax (V3/V4 dongles).
    direct_sampling : str, optional
        ``"i"`` or ``"q"``: sample the I or Q branch directly, for HF (``"q"`` on V3 dongles).
    offset_tuning : bool
        Tune off the centre to keep the DC spike away (E4000 tuners).
    rtl_agc : bool
        The RTL2832's digital AGC (apart from the tuner's gain).
    buffer_seconds : float
        Length of the capture ring in seconds (at least 0.05); with ``rate_changes``, in
        seconds at the highest rate (3.2 MS/s), so it holds as long at any rate set later.
    driver : class, optional
        What opens the dongle: pyrtlsdr's ``RtlSdr`` by default; ``sdrflow.testing.StandInDongle``
        for a simulated one.
    rate_changes : bool
        Accept a new sample rate while running. Only for a graph whose blocks do not depend on
        the rate (``sdrflow serve``'s: the samples go out as they come); filters and
        demodulators were designed for the rate the graph started with.

    Example: ``RtlSdrSource(98.5e6, rate=2.4e6, gain=29.7)``
    """

    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)
    own_thread = True  # waits on the capture ring

    #: Samples per USB transfer: 2·16384 bytes, a multiple of 512 as librtlsdr needs (~7 ms).
    USB_SAMPLES = 16384

    def __init__(self, frequency: float, rate: float = 2.4e6, gain: float | None = None,
                 correction_ppm: int = 0, device=0, bias_tee: bool = False,
                 direct_sampling=None, offset_tuning: bool = False, rtl_agc: bool = False,
                 buffer_seconds: float = 0.5, driver=None, rate_changes: bool = False):
        self.sample_rate = check_rtl_rate(rate, "RtlSdrSource")
        direct_sampling = direct_branch(direct_sampling, "RtlSdrSource")
        check_tuner_range(frequency, direct_sampling, "RtlSdrSource")  # the tuners' reach first
        check_rtl_tuning(frequency, correction_ppm, "RtlSdrSource")
        if gain is not None and not -1 <= float(gain) <= 60:
            raise ValueError(f"RtlSdrSource: gain must be 0–50 dB (tuner steps) or None for "
                             f"automatic, got {gain!r}")
        if not buffer_seconds >= 0.05:
            raise ValueError(f"RtlSdrSource: buffer_seconds must be >= 0.05, got {buffer_seconds!r}")
        self.frequency, self.gain, self.correction_ppm = float(frequency), gain, int(correction_ppm)
        self.device, self.bias_tee, self.rtl_agc = device, bool(bias_tee), bool(rtl_agc)
        self.direct_sampling, self.offset_tuning = direct_sampling, bool(offset_tuning)
        self.buffer_seconds, self.driver = float(buffer_seconds), driver
        self.rate_changes = bool(rate_changes)
        self._sdr, self._ring, self._reader = None, None, None
        self.tuner = None  # known once the dongle is open
        self._control = threading.Lock()  # librtlsdr has no locks: one control call at a time

    def output_rate(self, rate):
        return self.sample_rate

    # -- opening ---------------------------------------------------------------------------
    def _driver(self):
        if self.driver is not None:
            return self.driver
        try:
            from rtlsdr import RtlSdr
        except (ImportError, AttributeError, OSError) as e:  # a librtlsdr without the fork's symbols
            raise ValueError(f"cannot load librtlsdr ({e}); install pyrtlsdr[lib], or use "
                             f"RtlTcpSource with rtl_tcp") from e
        return RtlSdr

    def _open(self):
        driver = self._driver()
        try:
            index = self.device if isinstance(self.device, int) else \
                driver.get_device_index_by_serial(str(self.device))
            return driver(device_index=index)
        except (OSError, KeyError, ValueError) as e:
            code = getattr(e, "errno", None)
            if code == -6:
                raise SourceFailed(f"the RTL-SDR (device {self.device!r}) is busy: another "
                                   f"program (rtl_tcp, SDR++, GQRX, the DVB kernel driver) "
                                   f"holds it") from e
            if code == -3:
                raise SourceFailed(f"no permission to open the RTL-SDR (device {self.device!r}): "
                                   f"install the rtl-sdr udev rules or run as root") from e
            raise SourceFailed(f"no RTL-SDR found (device {self.device!r}): plug one in, or use "
                               f"--source file:REC.cu8 or rtl_tcp ({e})") from e

    def start(self, rate):
        self._lut = conversion_table()  # before the dongle streams into the ring
        self._sdr = sdr = self._open()
        try:
            self.tuner = TUNERS.get(sdr.get_tuner_type(), "unknown")
            check_tuner_range(self.frequency, self.direct_sampling, self.name, self.tuner)
            sdr.sample_rate = int(self.sample_rate)
            if DIRECT_SAMPLING[self.direct_sampling]:
                sdr.set_direct_sampling(DIRECT_SAMPLING[self.direct_sampling])
            if self.offset_tuning:
                _set_offset_tuning(sdr, True)
            sdr.center_freq = int(round(self.frequency))
            self._apply_gain(self.gain)
            if self.correction_ppm:  # librtlsdr refuses to "change" the ppm to its own value
                sdr.freq_correction = self.correction_ppm
            if self.bias_tee:
                sdr.set_bias_tee(True)
            if self.rtl_agc:
                sdr.set_agc_mode(True)
        except (OSError, ValueError) as e:
            self._close()
            raise ValueError(f"the RTL-SDR refused the settings: {e}") from e
        top = MAX_RATE if self.rate_changes else self.sample_rate
        self._ring = CaptureRing(max(int(self.buffer_seconds * top), self.USB_SAMPLES))
        self._failure, self._cancelled = None, False
        self._first, self._warned = True, 0.0
        self._ring.mark("rx_freq", self.frequency)
        self._reader = threading.Thread(target=self._read, daemon=True,
                                        name=f"{self.name}-usb")
        self._reader.start()

    def _apply_gain(self, gain):
        sdr = self._sdr
        if gain is None:
            sdr.gain = "auto"
            return
        snapped = snap_gain(float(gain), sdr.get_gains(), self.name)
        sdr.gain = snapped
        self.gain = snapped

    def _read(self):
        """The reader thread: librtlsdr calls back with USB buffers until cancelled or lost."""
        ring = self._ring

        def on_usb(data, context):
            ring.write(np.frombuffer(data, np.uint8))  # copied: librtlsdr reuses the buffer

        try:
            self._sdr.read_bytes_async(on_usb, 2 * self.USB_SAMPLES)
            if not self._cancelled and not self._failure:
                self._failure = "the dongle's stream ended (unplugged?)"
        except Exception as e:  # pyrtlsdr's LibUSBError, or a device gone
            if not self._cancelled and not self._failure:
                self._failure = f"the dongle failed: {e} (unplugged?)"
        finally:
            ring.close()

    _cancelled = False

    # -- while running ---------------------------------------------------------------------
    def check_frequency(self, frequency: float) -> None:
        """Raise ValueError when the dongle cannot tune to ``frequency``: beyond its own tuner
        once it is open (beyond, librtlsdr fails the setter and pyrtlsdr then closes the
        device under the running stream), beyond every RTL-SDR tuner before."""
        check_tuner_range(frequency, self.direct_sampling, self.name, self.tuner)
        check_rtl_tuning(frequency, 0, self.name)

    def set_frequency(self, frequency: float) -> None:
        self.check_frequency(frequency)
        self.frequency = float(frequency)
        if self._set(f"the frequency to {frequency:g} Hz",
                     lambda sdr: setattr(sdr, "center_freq", int(round(frequency)))):
            self._ring.mark("rx_freq", self.frequency)

    def set_sample_rate(self, rate: float) -> None:
        if not self.rate_changes:
            raise ValueError(f"{self.name}: the graph's blocks were made for "
                             f"{self.sample_rate:g} S/s; a new rate needs a new graph "
                             f"(rate_changes=True is for graphs that do not depend on it)")
        rate = check_rtl_rate(rate, self.name)
        if rate == self.sample_rate:
            return
        if self._set(f"the sample rate to {rate:g} S/s",
                     lambda sdr: setattr(sdr, "sample_rate", int(rate))):
            self._ring.mark("rx_rate", rate)
        self.sample_rate = rate

    def set_gain(self, gain) -> None:
        if self._sdr is None:
            self.gain = gain
            return
        self._set("the gain", lambda sdr: self._apply_gain(None if gain is None else float(gain)))

    def set_correction_ppm(self, ppm: int) -> None:
        check_rtl_tuning(self.frequency, ppm, self.name)
        if int(ppm) != self.correction_ppm:
            self._set("the correction", lambda sdr: setattr(sdr, "freq_correction", int(ppm)))
        self.correction_ppm = int(ppm)

    def set_bias_tee(self, on: bool) -> None:
        self.bias_tee = bool(on)
        self._set("the bias tee", lambda sdr: sdr.set_bias_tee(self.bias_tee))

    def set_rtl_agc(self, on: bool) -> None:
        self.rtl_agc = bool(on)
        self._set("the RTL AGC", lambda sdr: sdr.set_agc_mode(self.rtl_agc))

    def set_offset_tuning(self, on: bool) -> None:
        self.offset_tuning = bool(on)
        self._set("offset tuning", lambda sdr: _set_offset_tuning(sdr, self.offset_tuning))

    def set_direct_sampling(self, branch) -> None:
        self.direct_sampling = branch = direct_branch(branch, self.name)
        self._set("direct sampling", lambda sdr: sdr.set_direct_sampling(DIRECT_SAMPLING[branch]))

    def _set(self, what, call) -> bool:
        """``call(sdr)`` behind the control lock; False before start or when it failed.

        pyrtlsdr closes the device before raising from a failed setter (a retune from another
        thread has failed with -9 PIPE): the stream then ends, everything captured before it
        delivered, and the run fails with the reason."""
        if self._sdr is None or self._failure:
            return False
        with self._control:
            try:
                call(self._sdr)
            except OSError as e:
                self._failure = f"the dongle failed to set {what} ({e}); pyrtlsdr closed it"
                log.error("%s: %s", self.name, self._failure)
                self._ring.close()  # the reader may hang on a closed device: end here
                return False
        return True

    def work(self, n):
        ring = self._ring
        raw = self.scratch(2 * n, np.uint8)
        while True:
            got, gap, marks = ring.read(n, raw, timeout=0.1)
            if got or self.stopping:
                break
            if ring.closed and not ring.held:
                if self._failure:
                    raise SourceFailed(f"{self._failure}; {ring.delivered} samples delivered, "
                                       f"{ring.dropped} dropped")
                return None
        if not got:
            return None
        out = cu8_out(self, raw[:2 * got], self._lut)
        first = ring.first
        if self._first:
            self.add_tag(0, "rx_rate", self.sample_rate)
        if self._first or gap:
            self.add_tag(0, "rx_time", host_time(ring.time_of(first, self.sample_rate)))
        if gap:
            self.add_tag(0, "overflow", gap)
            if not any(i == 0 and k == "rx_freq" for i, k, _ in marks):
                self.add_tag(0, "rx_freq", self.frequency)
            now = time.monotonic()
            if now - self._warned >= 1.0:
                self._warned = now
                log.warning("%s: the graph fell behind; %d samples dropped so far in %d gaps",
                            self.name, ring.dropped, ring.gaps)
        timed = {0} if self._first or gap else set()
        for index, key, value in marks:
            self.add_tag(index, key, value)
            if key in ("rx_freq", "rx_rate") and index not in timed:  # a retune, a new rate
                timed.add(index)
                self.add_tag(index, "rx_time", host_time(ring.time_of(first + index,
                                                                      self.sample_rate)))
        self._first = False
        return out

    def counters(self) -> dict:
        """Exact counts for ``fg.stats()``: samples received, delivered and dropped, gaps."""
        ring = self._ring
        if ring is None:
            return {}
        return {"samples_received": ring.received, "samples_delivered": ring.delivered,
                "samples_dropped": ring.dropped, "gaps": ring.gaps}

    # -- closing ---------------------------------------------------------------------------
    def _close(self):
        if self._sdr is not None:
            with self._control:
                self._sdr.close()
            self._sdr = None

    def stop(self):
        if self._reader is not None:
            self._cancelled = True
            try:
                with self._control:
                    self._sdr.cancel_read_async()
            except Exception as e:  # already gone
                log.debug("%s: cancel: %s", self.name, e)
            self._reader.join(timeout=5)
            if self._reader.is_alive():
                log.warning("%s: librtlsdr's reader did not stop", self.name)
            self._reader = None
        self._close()


def _set_offset_tuning(sdr, on: bool) -> None:
    """pyrtlsdr has no binding for offset tuning: call librtlsdr directly (a stand-in has it)."""
    if hasattr(sdr, "set_offset_tuning"):
        sdr.set_offset_tuning(on)
        return
    from rtlsdr.librtlsdr import librtlsdr

    if librtlsdr.rtlsdr_set_offset_tuning(sdr.dev_p, int(on)) < 0:
        raise OSError("this tuner has no offset tuning (only the E4000 does)")
