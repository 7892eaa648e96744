"""GNU Radio gr-zeromq framing and the PMT subset it uses for stream tags.

A stream frame is one ZMQ message per batch of items: the raw items (little-endian, as in
memory), or — with ``pass_tags`` — a header first::

    u16 magic 0x5FF0 (bytes F0 5F) | u8 version 1 | u64 offset | u64 ntags |
    ntags × (u64 tag offset, PMT key, PMT value, PMT srcid) | items

Header integers are little-endian; PMTs are big-endian.
Anything malformed raises ``WireError`` with what was wrong, so a source can count and skip it.
"""
from __future__ import annotations

import struct

import numpy as np

from .tags import Tag

MAGIC, VERSION = 0x5FF0, 1
_HEADER = struct.Struct("<HBQQ")
_U64 = struct.Struct("<Q")

_UNIFORM = {np.dtype(np.uint8): 0, np.dtype(np.int8): 1, np.dtype(np.uint16): 2,
            np.dtype(np.int16): 3, np.dtype(np.uint32): 4, np.dtype(np.int32): 5,
            np.dtype(np.uint64): 6, np.dtype(np.int64): 7, np.dtype(np.float32): 8,
            np.dtype(np.float64): 9, np.dtype(np.complex64): 10, np.dtype(np.complex128): 11}
_UNIFORM_BACK = {v: k for k, v in _UNIFORM.items()}


class WireError(ValueError):
    """A frame or PMT that does not follow the gr-zeromq format."""


class Pair(tuple):
    """A PMT pair ``(car, cdr)`` that is not a list: a PDU is ``Pair((meta_dict, vector))``.
    (A plain Python tuple is sent as a PMT tuple, as ``pmt.to_pmt`` does.)"""


# -- PMT ---------------------------------------------------------------------------------------
def pmt_encode(value) -> bytes:
    """Serialize a Python value as GNU Radio does with ``pmt.to_pmt``: str → symbol, bool → #t/#f,
    int → int32 or int64 (uint64 above 2⁶³), float → double, complex, tuple, list → pairs,
    dict, None → nil, numpy 1-D arrays and bytes → uniform vectors."""
    if value is None:
        return b"\x06"
    if isinstance(value, (bool, np.bool_)):
        return b"\x00" if value else b"\x01"
    if isinstance(value, str):
        raw = value.encode()
        if len(raw) > 1024:
            raise WireError(f"symbol longer than 1024 bytes: {value[:20]!r}…")
        return b"\x02" + struct.pack(">H", len(raw)) + raw
    if isinstance(value, (int, np.integer)):
        v = int(value)
        if -2**31 <= v < 2**31:
            return b"\x03" + struct.pack(">i", v)
        if -2**63 <= v < 2**63:
            return b"\x0d" + struct.pack(">q", v)
        if v < 2**64:
            return b"\x0b" + struct.pack(">Q", v)
        raise WireError(f"integer {v} does not fit in 64 bits")
    if isinstance(value, (float, np.floating)):
        return b"\x04" + struct.pack(">d", float(value))
    if isinstance(value, (complex, np.complexfloating)):
        return b"\x05" + struct.pack(">dd", value.real, value.imag)
    if isinstance(value, Pair):
        return b"\x07" + pmt_encode(value[0]) + pmt_encode(value[1])
    if isinstance(value, tuple):
        return b"\x0c" + struct.pack(">I", len(value)) + b"".join(pmt_encode(v) for v in value)
    if isinstance(value, list):
        return b"".join(b"\x07" + pmt_encode(v) for v in value) + b"\x06"
    if isinstance(value, dict):
        # dict_add prepends, so GNU Radio writes the last added key first
        cells = [b"\x09\x07" + pmt_encode(k) + pmt_encode(v) for k, v in reversed(value.items())]
        return b"".join(cells) + b"\x06"
    if isinstance(value, (bytes, bytearray)):
        value = np.frombuffer(bytes(value), np.uint8)
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype in _UNIFORM:
        data = value.astype(value.dtype.newbyteorder(">")).tobytes()
        return b"\x0a" + struct.pack(">BIB", _UNIFORM[value.dtype], len(value), 1) + b"\x00" + data
    raise WireError(f"cannot send {type(value).__name__} {value!r} as a PMT")


#: Deepest nesting of pairs, vectors and dicts a received PMT may have (GNU Radio's own
#: messages nest two or three levels); deeper is refused, so no peer can exhaust the stack.
MAX_DEPTH = 32


def pmt_decode(buf: bytes, pos: int = 0, depth: int = 0):
    """Parse one PMT from ``buf`` at ``pos``; return (value, position after it).

    Anything malformed, nested deeper than ``MAX_DEPTH`` or unusable in Python (a dict key that
    cannot be hashed) raises WireError; counts are checked against the bytes left before
    anything is allocated."""
    if depth > MAX_DEPTH:
        raise WireError(f"PMT nested deeper than {MAX_DEPTH} levels")

    def need(n):
        if pos + n > len(buf):
            raise WireError("frame ends inside a PMT")

    need(1)
    tag = buf[pos]
    pos += 1
    if tag == 0x00:
        return True, pos
    if tag == 0x01:
        return False, pos
    if tag == 0x06:
        return None, pos
    if tag == 0x02:
        need(2)
        (n,) = struct.unpack_from(">H", buf, pos)
        if n > 1024:
            raise WireError("symbol longer than 1024 bytes")
        need(2 + n)
        try:
            return bytes(buf[pos + 2:pos + 2 + n]).decode(), pos + 2 + n
        except UnicodeDecodeError as e:
            raise WireError(f"symbol is not text: {e}") from e
    fixed = {0x03: ">i", 0x04: ">d", 0x0b: ">Q", 0x0d: ">q"}
    if tag in fixed:
        size = struct.calcsize(fixed[tag])
        need(size)
        return struct.unpack_from(fixed[tag], buf, pos)[0], pos + size
    if tag == 0x05:
        need(16)
        re, im = struct.unpack_from(">dd", buf, pos)
        return complex(re, im), pos + 16
    if tag in (0x08, 0x0c):
        need(4)
        (n,) = struct.unpack_from(">I", buf, pos)
        pos += 4
        if n > len(buf):
            raise WireError("vector longer than its frame")
        items = []
        for _ in range(n):
            v, pos = pmt_decode(buf, pos, depth + 1)
            items.append(v)
        return (tuple(items) if tag == 0x0c else items), pos
    if tag == 0x07:
        car, pos = pmt_decode(buf, pos, depth + 1)
        cdr, pos = _decode_rest_of_list(buf, pos, depth)
        return ([car] + cdr if isinstance(cdr, list) else Pair((car, cdr))), pos
    if tag == 0x09:
        out = []
        while True:
            need(1)
            if buf[pos] != 0x07:
                raise WireError("dict cell without a key/value pair")
            key, pos = pmt_decode(buf, pos + 1, depth + 1)
            value, pos = pmt_decode(buf, pos, depth + 1)
            try:
                hash(key)
            except TypeError:
                raise WireError(f"dict key of type {type(key).__name__} cannot be a key") from None
            out.append((key, value))
            need(1)
            if buf[pos] == 0x06:
                return dict(reversed(out)), pos + 1
            if buf[pos] != 0x09:
                raise WireError("dict cell not followed by another cell or nil")
            pos += 1
    if tag == 0x0a:
        need(7)
        sub, n, npad = struct.unpack_from(">BIB", buf, pos)
        pos += 6 + npad
        if sub not in _UNIFORM_BACK:
            raise WireError(f"unknown uniform vector type {sub}")
        dtype = _UNIFORM_BACK[sub].newbyteorder(">")
        need(n * dtype.itemsize)
        data = np.frombuffer(buf, dtype, n, pos).astype(_UNIFORM_BACK[sub])
        return data, pos + n * dtype.itemsize
    raise WireError(f"unknown PMT type 0x{tag:02x}")


def _decode_rest_of_list(buf, pos, depth):
    """The cdr of a pair: a Python list when it continues a proper list (pairs ending in nil),
    else the value itself (a dotted pair such as a PDU). A loop, not recursion: a list may be
    long without being deep."""
    items = []
    while pos < len(buf) and buf[pos] == 0x07:
        car, pos = pmt_decode(buf, pos + 1, depth + 1)
        items.append(car)
    if pos < len(buf) and buf[pos] == 0x06:
        return items, pos + 1
    tail, pos = pmt_decode(buf, pos, depth + 1)
    return (items + [tail] if items else tail), pos


# -- frames ------------------------------------------------------------------------------------
def encode_frame(items: np.ndarray, offset: int | None = None, tags=()) -> bytes | bytearray:
    """One stream frame: raw items (bytes), or (``offset`` given: pass_tags) header + tags +
    items (a bytearray, the items copied into it once). Tags are Tag objects with absolute
    offsets on the sender's stream."""
    items = np.ascontiguousarray(items)
    if offset is None:
        return items.tobytes()
    parts = [_HEADER.pack(MAGIC, VERSION, offset, len(tags))]
    for t in tags:
        parts += [_U64.pack(t.offset), pmt_encode(t.key), pmt_encode(t.value), b"\x01"]
    header = b"".join(parts)
    frame = bytearray(len(header) + items.nbytes)  # the items are copied once, into the frame
    frame[:len(header)] = header
    np.frombuffer(frame, np.uint8, offset=len(header))[:] = items.reshape(-1).view(np.uint8)
    return frame


def decode_frame(frame, itemsize: int, tagged: bool):
    """Parse a frame (bytes, or a memoryview of a received message, not copied): (payload,
    header offset or None, [Tag with absolute offsets]).

    Raises WireError for a short or corrupt header or a payload that is not a whole number of
    items — the same checks GNU Radio makes, with messages that say which."""
    offset, tags, pos = None, [], 0
    if tagged:
        if len(frame) < _HEADER.size:
            raise WireError(f"frame of {len(frame)} bytes is too small for a tag header (19)")
        magic, version, offset, ntags = _HEADER.unpack_from(frame, 0)
        if magic != MAGIC:
            raise WireError("tag header magic does not match (is the sender passing tags?)")
        if version != VERSION:
            raise WireError(f"tag header version {version}, expected {VERSION}")
        pos = _HEADER.size
        if ntags > len(frame):
            raise WireError("tag count larger than the frame")
        for _ in range(ntags):
            if pos + 8 > len(frame):
                raise WireError("frame ends inside a tag")
            (toff,) = _U64.unpack_from(frame, pos)
            key, pos = pmt_decode(frame, pos + 8)
            value, pos = pmt_decode(frame, pos)
            _, pos = pmt_decode(frame, pos)  # srcid
            if not isinstance(key, str):
                raise WireError(f"tag key must be a symbol, got {key!r}")
            tags.append(Tag(int(toff), key, value))
    payload = frame[pos:]
    if len(payload) % itemsize:
        raise WireError(f"payload of {len(payload)} bytes is not a whole number of "
                        f"{itemsize}-byte items (item size or pass_tags differ at the two ends?)")
    return payload, offset, tags
