"""SigMF recordings: written by SigMFSink, read by SigMFSource and by the sigmf library."""
import json

import numpy as np
import pytest
from sigmf import sigmffile

from sdrflow import Flowgraph, Tag
from sdrflow.blocks import SigMFSink, SigMFSource, VectorSink, VectorSource

X = (np.random.default_rng(6).standard_normal(20_000) * (1 + 0.5j)).astype(np.complex64)


def test_round_trip_keeps_samples_rate_and_retunes(tmp_path):
    base = tmp_path / "rec"
    fg = Flowgraph(chunk=3000)
    fg.connect(VectorSource(X, rate=2.048e6, tags=[Tag(0, "rx_freq", 100e6), Tag(12_345, "rx_freq", 101e6)]),
               SigMFSink(str(base), description="test"))
    fg.run()
    record = sigmffile.fromfile(str(base) + ".sigmf-meta")  # validates, checks the hash
    assert record.get_global_field("core:datatype") == "cf32_le"
    assert record.get_global_field("core:sample_rate") == 2.048e6
    assert [(c["core:sample_start"], c["core:frequency"]) for c in record.get_captures()] == \
        [(0, 100e6), (12_345, 101e6)]
    np.testing.assert_array_equal(record.read_samples(), X)
    fg = Flowgraph(chunk=999)
    sink = VectorSink()
    fg.connect(SigMFSource(str(base) + ".sigmf-data"), sink)
    fg.run()
    np.testing.assert_array_equal(sink.data, X)
    assert sink.rate_seen == 2.048e6
    assert [(t.offset, t.key, t.value) for t in sink.tags] == \
        [(0, "rx_rate", 2.048e6), (0, "rx_freq", 100e6), (12_345, "rx_freq", 101e6)]


def test_reads_an_rtl_sdr_recording_with_annotations(tmp_path, real_data):
    raw = (real_data / "ook433" / "sensibleliving_g002_433.92M_250k.cu8").read_bytes()
    (tmp_path / "ook.sigmf-data").write_bytes(raw)
    meta = {"global": {"core:datatype": "cu8", "core:sample_rate": 250000.0, "core:version": "1.2.0"},
            "captures": [{"core:sample_start": 0, "core:frequency": 433.92e6}],
            "annotations": [{"core:sample_start": 71145, "core:sample_count": 49927,
                             "core:label": "SensibleLiving"}]}
    (tmp_path / "ook.sigmf-meta").write_text(json.dumps(meta))
    fg = Flowgraph()
    sink = VectorSink()
    fg.connect(SigMFSource(str(tmp_path / "ook")), sink)
    fg.run()
    b = np.frombuffer(raw, np.uint8).astype(np.float64)
    np.testing.assert_allclose(sink.data, (b[0::2] - 127.5) / 127.5 + 1j * (b[1::2] - 127.5) / 127.5, atol=1e-6)
    assert (71145, "sigmf_label", "SensibleLiving") in [(t.offset, t.key, t.value) for t in sink.tags]


def test_bad_recordings_are_refused(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        SigMFSource(str(tmp_path / "missing"))
    (tmp_path / "x.sigmf-data").write_bytes(b"\0" * 16)
    (tmp_path / "x.sigmf-meta").write_text(json.dumps(
        {"global": {"core:datatype": "cf64_le", "core:sample_rate": 1.0, "core:version": "1.2.0"},
         "captures": [], "annotations": []}))
    with pytest.raises(ValueError, match="not supported"):
        SigMFSource(str(tmp_path / "x"))


@pytest.mark.parametrize("field, value, message", [
    ("frequency", "98.5M", "core:frequency"),
    ("sample_rate", "fast", "core:sample_rate"),
    ("sample_rate", -2.4e6, "core:sample_rate"),
])
def test_bad_metadata_is_refused_at_construction_naming_the_file(tmp_path, field, value, message):
    import json

    from sdrflow.blocks import SigMFSink, SigMFSource
    from sdrflow.testing import run_block

    base = tmp_path / "rec"
    run_block(SigMFSink(str(base), frequency=98.5e6), np.ones(100, np.complex64), rate=2.4e6)
    meta_path = tmp_path / "rec.sigmf-meta"
    meta = json.loads(meta_path.read_text())
    if field == "frequency":
        meta["captures"][0]["core:frequency"] = value
    else:
        meta["global"]["core:sample_rate"] = value
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=rf"rec\.sigmf-meta.*{message}|{message}.*rec\.sigmf-meta"):
        SigMFSource(str(meta_path))
