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


def test_kaiser_and_equiripple_lowpass_meet_their_specs():
    from sdrflow.design import lowpass_taps
    fs, fc, tw = 48e3, 5e3, 1e3
    for kw in ({"attenuation_db": 80}, {"equiripple": True, "attenuation_db": 60}):
        h = lowpass_taps(fc, fs, tw, **kw)
        stop = np.linspace(fc + tw / 2 + 50, fs / 2, 500)
        _, resp = signal.freqz(h, worN=np.concatenate([[0, fc - tw / 2 - 50], stop]), fs=fs)
        assert abs(resp[0]) == pytest.approx(1, abs=0.01)
        assert abs(resp[1]) == pytest.approx(1, abs=0.02)
        assert 20 * np.log10(np.abs(resp[2:]).max()) < -kw["attenuation_db"] + 3
    np.testing.assert_allclose(lowpass_taps(fc, fs, tw, attenuation_db=80),
                               signal.firwin(len(lowpass_taps(fc, fs, tw, attenuation_db=80)), fc, fs=fs,
                                             window=("kaiser", signal.kaiser_beta(80))), rtol=1e-6, atol=1e-9)


def test_highpass_and_bandpass_equal_firwin():
    from sdrflow.design import bandpass, highpass
    h = highpass(2e3, 48e3, 500)
    np.testing.assert_allclose(h, signal.firwin(len(h), 2e3, fs=48e3, pass_zero=False))
    h = bandpass(1e3, 3e3, 48e3, 500, attenuation_db=70)
    n, beta = signal.kaiserord(70, 500 / 24e3)
    np.testing.assert_allclose(h, signal.firwin(n | 1, [1e3, 3e3], fs=48e3, pass_zero=False,
                                                window=("kaiser", beta)))
    with pytest.raises(ValueError, match="outside"):
        highpass(30e3, 48e3, 500)
