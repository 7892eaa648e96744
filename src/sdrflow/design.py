"""Filter design from specifications in Hz.

Window-method low-pass design is done here with numpy (it is a few lines, and importing
scipy.signal costs half a second at start-up); other designs call scipy.signal when used."""
from __future__ import annotations

import numpy as np


def num_taps_for(rate: float, transition: float, window: str = "hamming") -> int:
    """Odd tap count giving about ``transition`` Hz between pass and stop band (Hamming: the
    main-lobe width 3.3/N in cycles per sample)."""
    if window != "hamming":
        raise ValueError(f"unknown window {window!r}")
    return int(3.3 * rate / transition) | 1


def lowpass(cutoff: float, rate: float, num_taps: int) -> np.ndarray:
    """Hamming-windowed sinc with its −6 dB point at ``cutoff`` Hz and unity gain at DC.

    The same taps as ``scipy.signal.firwin(num_taps, cutoff, fs=rate)``."""
    n = np.arange(num_taps) - (num_taps - 1) / 2
    h = np.sinc(2 * cutoff / rate * n) * np.hamming(num_taps)
    return h / h.sum()
