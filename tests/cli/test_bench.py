"""`sdrflow bench`: any block of the catalogue or the user's own, per chunk size, with the
numpy/scipy baseline; the same code path as benchmarks/run.py."""
import json
import subprocess
import sys
import textwrap


def sdrflow(*args, **kw):
    return subprocess.run([sys.executable, "-m", "sdrflow.cli", *args], capture_output=True,
                          text=True, timeout=300, **kw)


def test_bench_a_catalogue_block_with_parameters_and_its_baseline():
    p = sdrflow("bench", "FIRFilter:taps=32,decimation=4", "--seconds", "0.01", "--chunk", "1k,4k",
                "--repeats", "2", "--json")
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout)
    assert result["input"] == "complex64" and set(result["chunks"]) == {"1024", "4096"}
    for m in result["chunks"].values():
        assert 0 < m["min"] <= m["median"] <= m["max"]
    assert result["numpy_scipy_msps"] > 0


def test_bench_the_users_own_block(tmp_path):
    (tmp_path / "my_blocks.py").write_text(textwrap.dedent('''
        import numpy as np
        from sdrflow import Block, Port, FLOAT32

        class Gain(Block):
            inputs = [Port("in", FLOAT32)]
            outputs = [Port("out", FLOAT32)]

            def __init__(self, gain=1.0):
                self.gain = np.float32(gain)

            def work(self, x):
                return np.multiply(x, self.gain, out=self.buffer(len(x), np.float32))
    '''))
    p = sdrflow("bench", "my_blocks.py:Gain:gain=2", "--seconds", "0.01", "--chunk", "4k",
                "--repeats", "1", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "my_blocks.py:Gain:gain=2 (float32 in" in p.stdout and "chunk    4096" in p.stdout


def test_bench_refuses_unknown_blocks_and_parameters():
    p = sdrflow("bench", "Nope")
    assert p.returncode == 2 and "no block 'Nope'" in p.stderr
    p = sdrflow("bench", "FMDemod:colour=3")
    assert p.returncode == 2 and "colour" in p.stderr


def test_compare_gnuradio_times_the_same_block_in_gnu_radio():
    import pytest

    if subprocess.run(["/usr/bin/python3", "-c", "import gnuradio.filter"], capture_output=True).returncode:
        pytest.skip("GNU Radio is not installed for /usr/bin/python3 (apt-get install gnuradio)")
    for block in ("FIRFilter:taps=32,decimation=4", "FreqXlatingFilter:frequency=1e5,cutoff=1e5,decimation=10",
                  "FFT:size=256", "FMDemod", "RationalResampler:interpolation=2,decimation=5"):
        p = sdrflow("bench", block, "--seconds", "0.01", "--chunk", "16k", "--repeats", "1",
                    "--rate", "2.4M", "--compare", "gnuradio", "--json")
        assert p.returncode == 0, (block, p.stderr)
        assert json.loads(p.stdout)["gnuradio_msps"] > 0
    p = sdrflow("bench", "AGC", "--seconds", "0.01", "--compare", "gnuradio")
    assert p.returncode == 2 and "no GNU Radio equivalent is timed for AGC" in p.stderr


def test_gnuradio_spec_carries_the_blocks_own_taps():
    import numpy as np

    from sdrflow.bench import _started, gnuradio_spec
    from sdrflow.blocks import FIRFilter, FreqXlatingFilter

    taps = np.hanning(31).astype(np.float32)
    spec = gnuradio_spec(FIRFilter(taps, 3), np.complex64, 1e6)
    assert spec["kind"] == "fir_filter" and spec["decimation"] == 3 and np.allclose(spec["taps"], taps)
    xlate = _started(FreqXlatingFilter(100e3, cutoff=50e3, decimation=8), 2.4e6, np.complex64)
    spec = gnuradio_spec(xlate, np.complex64, 2.4e6)
    assert spec["frequency"] == 100e3 and np.allclose(spec["taps"], xlate.taps)
