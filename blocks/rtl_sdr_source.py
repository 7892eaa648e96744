import logging

import numpy as np

from sdrflow.block import COMPLEX64, Block, Port
from sdrflow.kernels.convert import u8_table

from .rtl_tcp_source import check_rtl_rate, check_rtl_tuning, cu8_out

log = logging.getLogger(__name__)


class RtlSdrSource(Block):
    """An RTL-SDR dongle on this machine, through pyrtlsdr (librtlsdr bundled by pyrtlsdrlib).

    Opens the dongle at start (a clear error when there is none), sets rate, frequency, gain
    and correction, then reads cu8 blocks and converts them to complex64
    (``(b − 127.5) / 127.5``). Frequency, gain and correction change while running (message
    ``{"frequency": Hz}`` …), between reads and in the reading thread, as librtlsdr needs; a
    retune is tagged ``rx_freq``. If the dongle fails mid-stream (unplugged), the stream ends
    with a warning and ``samples`` tells how much arrived.

    Signature: -> complex64

    Parameters
    ----------
    frequency : float
        Centre frequency in Hz (R820T: 24–1766 MHz).
    rate : float
        Sample rate in Hz (225001–300000 or 900001–3200000; 2.4e6 is the stable maximum).
    gain : float, optional
        Tuner gain in dB (snapped to the tuner's steps); None = automatic.
    correction_ppm : int
        Crystal correction in parts per million.
    device : int or str
        Device index, or serial number (as ``rtl_eeprom`` shows it).

    Example: ``RtlSdrSource(98.5e6, rate=2.4e6, gain=29.7)``
    """

    outputs = [Port("out", COMPLEX64)]
    message_inputs = ("ctrl",)
    own_thread = True  # reads wait on USB

    def __init__(self, frequency: float, rate: float = 2.4e6, gain: float | None = None,
                 correction_ppm: int = 0, device=0):
        self.sample_rate = check_rtl_rate(rate, "RtlSdrSource")
        check_rtl_tuning(frequency, correction_ppm, "RtlSdrSource")
        self.frequency, self.gain, self.correction_ppm = float(frequency), gain, int(correction_ppm)
        self.device, self.samples = device, 0
        self._sdr = None

    def output_rate(self, rate):
        return self.sample_rate

    def start(self, rate):
        try:
            from rtlsdr import RtlSdr
        except (ImportError, AttributeError, OSError) as e:  # see shared/reference/rtlsdr.md
            raise ValueError(f"cannot load librtlsdr ({e}); install pyrtlsdr[lib], or use "
                             f"RtlTcpSource with rtl_tcp") from e
        try:
            index = self.device if isinstance(self.device, int) else \
                RtlSdr.get_device_index_by_serial(str(self.device))
            self._sdr = RtlSdr(device_index=index)
        except (OSError, KeyError, ValueError) as e:
            raise ValueError(f"no RTL-SDR found (device {self.device!r}): plug one in, or use "
                             f"--source file:REC.cu8 or rtl_tcp ({e})") from e
        try:
            self._sdr.sample_rate = int(self.sample_rate)
            self._sdr.center_freq = int(round(self.frequency))
            self._sdr.gain = "auto" if self.gain is None else float(self.gain)
            if self.correction_ppm:  # librtlsdr refuses to "change" the ppm to its own value
                self._sdr.freq_correction = self.correction_ppm
        except OSError as e:
            self._close()
            raise ValueError(f"the RTL-SDR refused the settings: {e}") from e
        self._lut = u8_table()
        self._retuned, self._first, self.samples = False, True, 0

    def set_frequency(self, frequency: float) -> None:
        check_rtl_tuning(frequency, 0, "RtlSdrSource")
        self.frequency = float(frequency)
        if self._sdr is not None:
            self._sdr.center_freq = int(round(frequency))
            self._retuned = True

    def set_gain(self, gain) -> None:
        self.gain = gain
        if self._sdr is not None:
            self._sdr.gain = "auto" if gain is None else float(gain)

    def set_correction_ppm(self, ppm: int) -> None:
        if self._sdr is not None and int(ppm) != self.correction_ppm:
            self._sdr.freq_correction = int(ppm)
        self.correction_ppm = int(ppm)

    def work(self, n):
        n = max(256, n - n % 256)  # librtlsdr reads in multiples of 512 bytes
        try:
            raw = np.frombuffer(self._sdr.read_bytes(2 * n), np.uint8)
        except OSError as e:
            log.warning("%s: the dongle stopped after %d samples: %s", self.name, self.samples, e)
            return None
        return cu8_out(self, raw[:len(raw) - len(raw) % 2])

    def _close(self):
        if self._sdr is not None:
            self._sdr.close()
            self._sdr = None

    def stop(self):
        self._close()
