"""Filter design from specifications in Hz.

Window-method low-pass design is done here with numpy (it is a few lines, and importing
scipy.signal costs half a second at start-up); other designs call scipy.signal when used."""
from __future__ import annotations

import numpy as np


#: Longest filter the designs make: beyond it a filter costs more than any receiver should.
MAX_TAPS = 65535


def num_taps_for(rate: float, transition: float, window: str = "hamming") -> int:
    """Odd tap count giving about ``transition`` Hz between pass and stop band (Hamming: the
    main-lobe width 3.3/N in cycles per sample)."""
    if window != "hamming":
        raise ValueError(f"unknown window {window!r}")
    if not transition > 0:
        raise ValueError(f"transition must be > 0 Hz, got {transition!r}")
    n = int(3.3 * rate / transition) | 1
    if n > MAX_TAPS:
        raise ValueError(f"a {transition:g} Hz transition at {rate:g} S/s needs {n:,} taps (at most "
                         f"{MAX_TAPS:,} are designed): widen the transition to at least "
                         f"{3.3 * rate / MAX_TAPS:.3g} Hz, or decimate first and filter at a "
                         f"lower rate")
    return n


def lowpass(cutoff: float, rate: float, num_taps: int) -> np.ndarray:
    """Hamming-windowed sinc with its −6 dB point at ``cutoff`` Hz and unity gain at DC.

    The same taps as ``scipy.signal.firwin(num_taps, cutoff, fs=rate)``."""
    n = np.arange(num_taps) - (num_taps - 1) / 2
    h = np.sinc(2 * cutoff / rate * n) * np.hamming(num_taps)
    return h / h.sum()


def _check(rate, *freqs):
    for f in freqs:
        if not 0 < f < rate / 2:
            raise ValueError(f"{f:g} Hz is outside (0, {rate / 2:g}) Hz, the band the "
                             f"{rate:g} Hz rate can carry")


def window_taps(rate: float, transition: float, attenuation_db: float | None = None):
    """(num_taps, window) for the window method: Hamming (about 53 dB) by default, or a
    Kaiser window meeting ``attenuation_db`` in ``transition`` Hz."""
    if attenuation_db is None:
        return num_taps_for(rate, transition), "hamming"
    from scipy import signal

    n, beta = signal.kaiserord(attenuation_db, transition / (rate / 2))
    return n | 1, ("kaiser", beta)


def highpass(cutoff: float, rate: float, transition: float, attenuation_db=None) -> np.ndarray:
    """Windowed-sinc high-pass, −6 dB at ``cutoff``, unity gain at ``rate``/2 (odd length)."""
    from scipy import signal

    _check(rate, cutoff)
    n, window = window_taps(rate, transition, attenuation_db)
    return signal.firwin(n, cutoff, fs=rate, pass_zero=False, window=window)


def bandpass(low: float, high: float, rate: float, transition: float, attenuation_db=None) -> np.ndarray:
    """Windowed-sinc band-pass from ``low`` to ``high`` Hz (−6 dB edges), unity gain mid-band."""
    from scipy import signal

    _check(rate, low, high)
    if not low < high:
        raise ValueError(f"band-pass needs low < high, got {low:g} and {high:g} Hz")
    n, window = window_taps(rate, transition, attenuation_db)
    return signal.firwin(n, [low, high], fs=rate, pass_zero=False, window=window)


def equiripple_lowpass(cutoff: float, transition: float, rate: float, num_taps: int) -> np.ndarray:
    """Parks–McClellan low-pass: pass band to ``cutoff − transition/2``, stop band from
    ``cutoff + transition/2`` (``scipy.signal.remez``), normalised to unity gain at DC."""
    from scipy import signal

    _check(rate, cutoff)
    edges = [0, cutoff - transition / 2, cutoff + transition / 2, rate / 2]
    h = signal.remez(num_taps, edges, [1, 0], fs=rate)
    return h / h.sum()


def complex_bandpass(low: float, high: float, rate: float, transition: float) -> np.ndarray:
    """Complex taps passing only ``low`` … ``high`` Hz (which may be negative): a low-pass
    shifted to the band centre. For complex streams, where +f and −f are different signals."""
    if not -rate / 2 < low < high < rate / 2:
        raise ValueError(f"complex band-pass needs −rate/2 < low < high < rate/2, got {low:g}, {high:g}")
    taps = lowpass((high - low) / 2, rate, num_taps_for(rate, transition))
    n = np.arange(len(taps))
    return taps * np.exp(2j * np.pi * (low + high) / 2 / rate * n)


def hilbert(num_taps: int) -> np.ndarray:
    """Hamming-windowed ideal Hilbert transformer (odd ``num_taps``): h[n] = 2/(π·n) for odd
    n from the centre, 0 for even n."""
    if num_taps % 2 == 0 or num_taps < 3:
        raise ValueError(f"a Hilbert transformer needs an odd num_taps >= 3, got {num_taps}")
    n = np.arange(num_taps) - (num_taps - 1) // 2
    h = np.zeros(num_taps)
    odd = n % 2 != 0
    h[odd] = 2 / (np.pi * n[odd])
    return h * np.hamming(num_taps)


def root_raised_cosine(sps: float, rolloff: float = 0.35, span: int = 11) -> np.ndarray:
    """Root-raised-cosine pulse, ``span`` symbols long, unit energy: the matched filter of
    PSK/QAM links (transmit and receive each use one; their cascade has no ISI)."""
    if not 0 < rolloff <= 1:
        raise ValueError(f"rolloff must be in (0, 1], got {rolloff!r}")
    n = int(span * sps) | 1
    t = (np.arange(n) - (n - 1) / 2) / sps
    b = rolloff
    h = np.empty(n)
    for i, ti in enumerate(t):
        if abs(ti) < 1e-12:
            h[i] = 1 - b + 4 * b / np.pi
        elif abs(abs(4 * b * ti) - 1) < 1e-9:
            h[i] = b / np.sqrt(2) * ((1 + 2 / np.pi) * np.sin(np.pi / (4 * b)) + (1 - 2 / np.pi) * np.cos(np.pi / (4 * b)))
        else:
            h[i] = (np.sin(np.pi * ti * (1 - b)) + 4 * b * ti * np.cos(np.pi * ti * (1 + b))) / (np.pi * ti * (1 - (4 * b * ti) ** 2))
    return h / np.sqrt(np.sum(h ** 2))


def lowpass_taps(cutoff: float, rate: float, transition: float, attenuation_db=None,
                 num_taps=None, equiripple: bool = False) -> np.ndarray:
    """Low-pass taps by the method the parameters ask for: Hamming window (default), Kaiser
    window meeting ``attenuation_db``, or Parks–McClellan (``equiripple``; length from the
    Kaiser estimate for ``attenuation_db``, 60 dB by default). ``num_taps`` overrides the
    length."""
    _check(rate, cutoff)
    if equiripple:
        n = num_taps or window_taps(rate, transition, attenuation_db or 60.0)[0]
        return equiripple_lowpass(cutoff, transition, rate, n)
    if attenuation_db is None:
        return lowpass(cutoff, rate, num_taps or num_taps_for(rate, transition))
    from scipy import signal

    n, window = window_taps(rate, transition, attenuation_db)
    return signal.firwin(num_taps or n, cutoff, fs=rate, window=window)
