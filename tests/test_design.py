import numpy as np
import pytest
from scipy import signal

from sdrflow.design import lowpass, num_taps_for


@pytest.mark.parametrize("num_taps, cutoff, rate", [(31, 100e3, 2.4e6), (64, 0.2, 1.0), (199, 15e3, 240e3)])
def test_lowpass_equals_firwin(num_taps, cutoff, rate):
    np.testing.assert_allclose(lowpass(cutoff, rate, num_taps), signal.firwin(num_taps, cutoff, fs=rate),
                               rtol=1e-10, atol=1e-12)


def test_tap_count_follows_transition_width():
    n = num_taps_for(240e3, 4e3)
    assert n % 2 == 1 and n == 199
    h = lowpass(15e3, 240e3, n)
    _, resp = signal.freqz(h, worN=[10e3, 19e3 + 2e3], fs=240e3)
    assert abs(resp[0]) == pytest.approx(1, abs=0.01) and 20 * np.log10(abs(resp[1])) < -45
