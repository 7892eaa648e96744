"""The kernel decorator: what a first run says while Numba compiles, and a warm run's silence."""
import os
import subprocess
import sys

CALL = ("import numpy as np; from sdrflow.kernels.arith import offset, scale; "
        "x = np.ones(4, np.float32); scale(x, np.float32(2), x.copy()); "
        "offset(x, np.float32(1), x.copy())")


def test_a_first_compile_says_so_once_and_a_cached_run_stays_quiet(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))  # an empty cache: a real first run
    first = subprocess.run([sys.executable, "-c", CALL], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("compiling Numba kernels") == 1  # two kernels, one line
    again = subprocess.run([sys.executable, "-c", CALL], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "compiling" not in again.stderr
