"""The frame and PMT decoders against hostile input: random bytes, mutations of valid frames,
deep nesting, unhashable keys. Nothing but WireError may come out, and nothing is allocated
beyond what the bytes can hold."""
import struct
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sdrflow import Tag
from sdrflow.wire import WireError, decode_frame, encode_frame, pmt_decode, pmt_encode

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decoded_or_refused(fn, *args):
    try:
        fn(*args)
    except WireError:
        pass


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_as_pmt_raise_only_wire_error(data):
    decoded_or_refused(pmt_decode, data)


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([1, 2, 4, 8]), st.booleans())
def test_random_bytes_as_frames_raise_only_wire_error(data, itemsize, tagged):
    decoded_or_refused(decode_frame, data, itemsize, tagged)


VALID = encode_frame(np.arange(64, dtype=np.complex64), offset=1000,
                     tags=[Tag(1003, "rx_freq", 98.5e6), Tag(1010, "burst", {"len": 3, "ok": True}),
                           Tag(1020, "pdu", (1, 2.5, "x", [1, 2, 3]))])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=12),
       st.integers(0, len(VALID)))
def test_mutated_valid_frames_raise_only_wire_error(flips, cut):
    frame = bytearray(VALID)
    for at, value in flips:
        frame[at] = value
    decoded_or_refused(decode_frame, bytes(frame[:cut]), 8, True)


def test_deeply_nested_pairs_are_refused_not_a_recursion_error():
    deep = b"\x07" * 100_000 + b"\x06" * 100_001  # 200 KB of pairs nested in their car
    with pytest.raises(WireError, match="nested deeper"):
        pmt_decode(deep)
    nested_vectors = b"\x08\x00\x00\x00\x01" * 5000 + b"\x06"
    with pytest.raises(WireError, match="nested deeper"):
        pmt_decode(nested_vectors)


def test_a_long_flat_list_is_fine():
    value = list(range(5000))
    assert pmt_decode(pmt_encode(value))[0] == value


def test_dict_with_an_unhashable_key_is_refused():
    bad = b"\x09\x07" + pmt_encode([1, 2]) + pmt_encode(3) + b"\x06"
    with pytest.raises(WireError, match="cannot be a key"):
        pmt_decode(bad)


def test_counts_are_checked_before_allocating():
    huge_vector = b"\x08" + struct.pack(">I", 2**31)
    huge_uniform = b"\x0a" + struct.pack(">BIB", 0x08, 2**30, 0)  # unsupported or too long
    tracemalloc.start()
    for data in (huge_vector, huge_uniform):
        with pytest.raises(WireError):
            pmt_decode(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1 << 20
