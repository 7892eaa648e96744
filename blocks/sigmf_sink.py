import os

import numpy as np

from sdrflow.block import COMPLEX64, FLOAT32, Block, Port

from .sigmf_source import sigmf_base


class SigMFSink(Block):
    """Records a stream as SigMF: ``NAME.sigmf-data`` (cf32_le, or rf32_le for real streams)
    and, at stop, ``NAME.sigmf-meta`` written with the sigmf library.

    The sample rate comes from the graph; every ``rx_freq`` tag (and ``frequency``, if given)
    starts a capture segment with ``core:frequency``. The metadata is written when the graph
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

    Example: ``SigMFSink("capture", frequency=98.5e6)``
    """

    inputs = [Port("in", (COMPLEX64, FLOAT32))]

    def __init__(self, path: str, frequency: float | None = None, description: str = ""):
        try:
            import sigmf  # noqa: F401
        except ImportError as e:
            raise ValueError("SigMFSink needs the sigmf package: pip install 'sdrflow[sigmf]'") from e
        base = sigmf_base(path)
        folder = os.path.dirname(os.path.abspath(base))
        if not os.path.isdir(folder):
            raise ValueError(f"SigMFSink: folder {folder} does not exist; create it first")
        self.base, self.frequency, self.description = base, frequency, description
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

    def work(self, x):
        for index, key, value in self.input_tags():
            if key == "rx_freq":
                self._captures[self._count + index] = float(value)
        self._file.write(np.ascontiguousarray(x).data)
        self._count += len(x)

    def stop(self):
        if self._file is None or self._file.closed:
            return
        self._file.close()
        import sigmf

        record = sigmf.SigMFFile(global_info={
            sigmf.DATATYPE_KEY: self._datatype, sigmf.SAMPLE_RATE_KEY: float(self._rate),
            sigmf.RECORDER_KEY: "sdrflow", sigmf.DESCRIPTION_KEY: self.description,
        })
        for start in sorted(self._captures) or [0]:
            meta = {} if self._captures.get(start) is None else {sigmf.FREQUENCY_KEY: self._captures[start]}
            record.add_capture(start, metadata=meta)
        record.tofile(self.base + ".sigmf-meta", overwrite=True)
