"""Numbers as radio people write them: ``98.5M``, ``2.4M``, ``250k``, ``12.5kHz``, ``2.4e6``."""
from __future__ import annotations

import re

_SI = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9}
_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([kKMG]?)(?:Hz|S/s|sps)?\s*")


def si(text) -> float:
    """``98.5M`` → 98.5e6, ``250k`` → 250e3, ``2.4e6`` → 2.4e6; anything else is a ValueError."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    m = _NUMBER.fullmatch(str(text))
    if not m:
        raise ValueError(f"not a number: {text!r} (write e.g. 98.5M, 2.4M, 250k or 2.4e6)")
    return float(m.group(1)) * _SI[m.group(2)]


def si_format(value: float, unit: str = "Hz") -> str:
    """``98500000`` → ``98.5 MHz``."""
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:g} {prefix}{unit}"
    return f"{value:g} {unit}"
