import datetime
import os
import time

import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port

from .sigmf_source import sigmf_base


class SigMFSink(Block):
    """Records a stream as SigMF: ``NAME.sigmf-data`` (cf32_le, or rf32_le for real streams)
    and, at stop, ``NAME.sigmf-meta`` written with the sigmf library.

    The sample rate comes from the graph; every ``rx_freq`` tag (and ``frequency``, if given)
    starts a capture segment with ``core:frequency`` and ``core:datetime`` (from the segment's
    ``rx_time`` tag, else the host clock when it arrived). The metadata is written when the graph
    stops, however it stops.

    Signature: complex64 ->, float32 ->

    Parameters
    ----------
    path : str
        Base name (``.sigmf-data``/``.sigmf-meta`` are added); its folder must exist.
    frequency : float, optional
        Centre frequency in Hz of the first capture, when no ``rx_freq`` tag says it.
    description : str
        ``core:description``.
    hardware : str
        ``core:hw`` (e.g. "RTL-SDR R820T"); empty to leave it out.

    Example: ``SigMFSink("capture", frequency=98.5e6)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]

    def __init__(self, path: str, frequency: float | None = None, description: str = "",
                 hardware: str = ""):
        try:
            import sigmf  # noqa: F401
        except ImportError as e:
            raise ValueError("SigMFSink needs the sigmf package: pip install 'sdrflow[sigmf]'") from e
        base = sigmf_base(path)
        folder = os.path.dirname(os.path.abspath(base))
        if not os.path.isdir(folder):
            raise ValueError(f"SigMFSink: folder {folder} does not exist; create it first")
        self.base, self.frequency, self.description = base, frequency, description
        self.hardware = str(hardware)
        self._file = None

    def start(self, rate):
        self._rate = rate
        self._datatype = "cf32_le" if self.input_types[0] == COMPLEX64 else "rf32_le"
        try:
            self._file = open(self.base + ".sigmf-data", "wb")
        except OSError as e:
            raise ValueError(f"SigMFSink: cannot write {self.base}.sigmf-data: {e.strerror}") from e
        self._count = 0
        self._captures = {0: self.frequency} if self.frequency is not None else {}
        self._times = {0: time.time()}

    def work(self, x):
        for index, key, value in self.input_tags():
            at = self._count + index
            if key == "rx_freq":
                self._captures[at] = float(value)
                self._times.setdefault(at, time.time() - (len(x) - index) / self._rate)
            elif key == "rx_time":
                self._times[at] = float(value[0]) + float(value[1])
        self._file.write(np.ascontiguousarray(x).data)
        self._count += len(x)

    def stop(self):
        if self._file is None or self._file.closed:
            return
        self._file.close()
        import sigmf

        info = {sigmf.DATATYPE_KEY: self._datatype, sigmf.SAMPLE_RATE_KEY: float(self._rate),
                sigmf.RECORDER_KEY: "sdrflow", sigmf.DESCRIPTION_KEY: self.description}
        if self.hardware:
            info[sigmf.HW_KEY] = self.hardware
        record = sigmf.SigMFFile(global_info=info)
        for start in sorted(self._captures) or [0]:
            meta = {} if self._captures.get(start) is None else {sigmf.FREQUENCY_KEY: self._captures[start]}
            when = self._times.get(start)
            if when is not None:
                stamp = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
                meta[sigmf.DATETIME_KEY] = stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            record.add_capture(start, metadata=meta)
        record.tofile(self.base + ".sigmf-meta", overwrite=True)
