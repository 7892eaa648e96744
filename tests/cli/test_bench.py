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
