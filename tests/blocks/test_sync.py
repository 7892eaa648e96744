"""Synchronisation loops: lock time for ±1 kHz offsets, timing recovery under clock error."""
import numpy as np
import pytest

from sdrflow.blocks import FLL, PLL, CostasLoop, SymbolSync
from sdrflow.design import root_raised_cosine
from sdrflow.testing import assert_chunk_invariant, run_block

rng = np.random.default_rng(12)


def noise(n, sigma):
    return sigma * (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / np.sqrt(2)


@pytest.mark.parametrize("offset", [1e3, -1e3])
def test_pll_locks_to_a_carrier_within_2_ms(offset):
    fs = 100e3
    n = np.arange(20_000)
    x = (np.exp(2j * np.pi * offset * n / fs + 1.0) + noise(len(n), 0.1)).astype(np.complex64)
    pll = PLL(bandwidth=300, min_frequency=-2e3, max_frequency=2e3)
    y = assert_chunk_invariant(lambda: PLL(bandwidth=300, min_frequency=-2e3, max_frequency=2e3), x, rate=fs)
    run_block(pll, x, rate=fs)
    unlocked = np.flatnonzero(np.abs(np.angle(y)) > 0.3)
    assert unlocked.max() < 0.002 * fs  # locked (phase error < 0.3 rad) after 2 ms for good
    assert pll.frequency == pytest.approx(offset, abs=5)


def test_pll_reference_output_is_the_clean_carrier():
    fs = 48e3
    n = np.arange(48_000)
    x = (np.exp(2j * np.pi * 19e3 * n / fs) + noise(len(n), 0.5)).astype(np.complex64)
    ref = run_block(PLL(20, 18.9e3, 19.1e3, "reference", 19e3), x, rate=fs)[24_000:]
    err = np.angle(ref * np.exp(-2j * np.pi * 19e3 * n[24_000:] / fs))
    assert np.std(err) < 0.05 and np.allclose(np.abs(ref), 1, atol=1e-5)


@pytest.mark.parametrize("order", [2, 4])
@pytest.mark.parametrize("offset", [1e3, -1e3])
def test_costas_loop_locks_within_2_ms_despite_modulation(order, offset):
    sr, n = 20e3, 20_000
    if order == 2:
        sym = 2.0 * rng.integers(0, 2, n) - 1
    else:
        b = rng.integers(0, 2, (n, 2))
        sym = ((2 * b[:, 0] - 1) + 1j * (2 * b[:, 1] - 1)) / np.sqrt(2)
    x = (sym * np.exp(2j * np.pi * offset * np.arange(n) / sr + 0.5) + noise(n, 0.1)).astype(np.complex64)
    loop = CostasLoop(bandwidth=400, order=order, max_frequency=3e3)
    y = run_block(loop, x, rate=sr)
    span = 2 * np.pi / order  # the loop may settle on any of the `order` equivalent phases
    err = (np.angle(y * np.conj(sym)) + span / 2) % span - span / 2
    assert np.flatnonzero(np.abs(err) > 0.3).max() < 0.002 * sr
    assert loop.frequency == pytest.approx(offset, abs=30)  # the integrator jitters with the noise


def test_fll_removes_a_frequency_offset():
    fs = 50e3
    n = np.arange(50_000)
    x = (np.exp(2j * np.pi * 1.5e3 * n / fs) + noise(len(n), 0.2)).astype(np.complex64)
    fll = FLL(bandwidth=50)
    y = run_block(fll, x, rate=fs)
    assert fll.frequency == pytest.approx(1.5e3, abs=20)
    step = np.angle(y[-5000:][1:] * np.conj(y[-5000:][:-1]))
    assert abs(np.mean(step)) * fs / (2 * np.pi) < 20


def shaped_bpsk(nsym, sps, ppm, seed=1):
    r = np.random.default_rng(seed)
    sym = 2.0 * r.integers(0, 2, nsym) - 1
    h = root_raised_cosine(sps, 0.35, 11)
    up = np.zeros(nsym * sps)
    up[::sps] = sym
    tx = np.convolve(up, h)
    t = np.arange(int(len(tx) / (1 + ppm * 1e-6)) - 2) * (1 + ppm * 1e-6)  # transmit clock error
    rx = np.convolve(np.interp(t, np.arange(len(tx)), tx), h)
    return sym, rx.astype(np.complex64)


@pytest.mark.parametrize("ted, bandwidth", [("gardner", 0.004), ("mm", 0.01)])
@pytest.mark.parametrize("ppm", [100, -100])
def test_timing_recovery_holds_lock_with_100_ppm_clock_error(ted, bandwidth, ppm):
    sym, rx = shaped_bpsk(40_000, 8, ppm)
    y = run_block(SymbolSync(1000, bandwidth, ted), rx, rate=8000)
    assert abs(len(y) - len(sym) * (1 + ppm * 1e-6) ** -1) < 30  # no slips: one strobe per symbol
    got = np.sign(y.real[2000:])
    lag = int(np.argmax([np.mean(got[:2000] == sym[k:k + 2000]) for k in range(1900, 2100)])) + 1900
    m = min(len(got), len(sym) - lag)
    assert np.array_equal(got[:m], sym[lag:lag + m])  # every symbol right after settling
    amp = np.abs(y.real[2000:])
    assert np.std(amp) / np.mean(amp) < 0.1  # strobes sit at the eye opening


def test_symbol_sync_is_chunk_invariant_and_takes_real_streams():
    _, rx = shaped_bpsk(2000, 4, 50)
    assert_chunk_invariant(lambda: SymbolSync(250, 0.01, "mm"), rx, rate=1000, rtol=1e-4, atol=1e-5)
    y = run_block(SymbolSync(250, 0.01, "mm"), rx.real.copy(), rate=1000)
    assert y.dtype == np.float32 and abs(len(y) - 2000) < 30  # + the filter tails
