"""Stream tags: key/value metadata riding along a stream at absolute item offsets."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tag:
    """``key=value`` attached to item ``offset`` (items since the start of the stream).

    Sources place ``rx_freq``, ``rx_rate``, ``rx_time`` and ``overflow``; through a block that
    changes the rate a tag moves to the first output item at or after it."""

    offset: int
    key: str
    value: object
