import os

from .file_source import FileSource

# SigMF core:datatype -> FileSource format
_FORMATS = {"cu8": "cu8", "ci8": "cs8", "ci16_le": "cs16", "cf32_le": "cf32", "rf32_le": "f32"}


def sigmf_base(path) -> str:
    """The recording's base name, whether given bare or with .sigmf-meta/.sigmf-data."""
    base = str(path)
    for ext in (".sigmf-meta", ".sigmf-data"):
        if base.endswith(ext):
            return base[:-len(ext)]
    return base


class SigMFSource(FileSource):
    """Plays a SigMF recording (``NAME.sigmf-meta`` + ``NAME.sigmf-data``): rate, format and
    centre frequency come from the metadata (read with the sigmf library).

    Each capture segment's ``core:frequency`` is tagged ``rx_freq`` on its first sample, and each
    annotation's ``core:label`` is tagged ``sigmf_label`` on its first sample.

    Signature: -> complex64 (float32 for ``rf32_le``)

    Parameters
    ----------
    path : str
        The recording: its base name, ``.sigmf-meta`` or ``.sigmf-data``.
    repeat : bool
        Start again at the end.

    Example: ``SigMFSource("capture.sigmf-meta")``
    """

    def __init__(self, path: str, repeat: bool = False):
        try:
            from sigmf import sigmffile
        except ImportError as e:
            raise ValueError("SigMFSource needs the sigmf package: pip install 'sdrflow[sigmf]'") from e
        base = sigmf_base(path)
        meta, data = base + ".sigmf-meta", base + ".sigmf-data"
        for f in (meta, data):
            if not os.path.isfile(f):
                raise ValueError(f"SigMFSource: no such file: {f}")
        try:
            record = sigmffile.fromfile(meta, skip_checksum=True)
        except Exception as e:  # the library raises its own validation and JSON errors
            raise ValueError(f"SigMFSource: cannot read {meta}: {e}") from e
        datatype = record.get_global_field("core:datatype")
        if datatype not in _FORMATS:
            raise ValueError(f"SigMFSource: datatype {datatype!r} is not supported; sdrflow reads "
                             f"{sorted(_FORMATS)}")
        rate = record.get_global_field("core:sample_rate")
        if rate is None:
            raise ValueError(f"SigMFSource: {meta} has no core:sample_rate")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not rate > 0:
            raise ValueError(f"SigMFSource: {meta}: core:sample_rate must be a positive number "
                             f"of samples per second, got {rate!r}")
        if record.get_global_field("core:num_channels", 1) != 1:
            raise ValueError("SigMFSource: only single-channel recordings are supported")
        self.captures = []
        for c in record.get_captures():  # checked now, not when the segment is reached
            start, frequency = c.get("core:sample_start", 0), c.get("core:frequency")
            if isinstance(start, bool) or not isinstance(start, int) or start < 0:
                raise ValueError(f"SigMFSource: {meta}: core:sample_start must be a whole number "
                                 f">= 0, got {start!r}")
            if frequency is not None and (isinstance(frequency, bool)
                                          or not isinstance(frequency, (int, float))):
                raise ValueError(f"SigMFSource: {meta}: core:frequency must be a number of Hz, "
                                 f"got {frequency!r}")
            self.captures.append((start, None if frequency is None else float(frequency)))
        self.labels = [(a.get("core:sample_start", 0), a.get("core:label"))
                       for a in record.get_annotations() if a.get("core:label")]
        super().__init__(data, float(rate), _FORMATS[datatype], frequency=None, repeat=repeat)
        self.meta_path = meta

    def start(self, rate):
        super().start(rate)
        self._first = False  # this block places rx_rate and rx_freq itself
        self._position = 0

    def work(self, n):
        out = super().work(n)
        if out is None:
            return None
        start, end = self._position, self._position + len(out)
        if start == 0:
            self.add_tag(0, "rx_rate", self.sample_rate)
        for index, frequency in self.captures:
            if frequency is not None and start <= index < end:
                self.add_tag(index - start, "rx_freq", float(frequency))
        for index, label in self.labels:
            if start <= index < end:
                self.add_tag(index - start, "sigmf_label", label)
        self._position = end
        return out
