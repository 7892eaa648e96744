import collections

from sdrflow.block import Block

# RadioHead's 4-to-6 bit code: every nibble is sent as one of these 6-bit symbols (three 1s,
# three 0s, runs of at most three), least significant bit first.
SYMBOLS = (0x0D, 0x0E, 0x13, 0x15, 0x16, 0x19, 0x1A, 0x1C,
           0x23, 0x25, 0x26, 0x29, 0x2A, 0x2C, 0x32, 0x34)
NIBBLE = {s: n for n, s in enumerate(SYMBOLS)}
START = (0x38, 0x2C)  # the start symbol 0xB38, low 6 bits first
PREAMBLE = 6          # symbols of 0x2A (alternating bits) before the start symbol
MAX_LENGTH = 67       # RadioHead's largest message, count and FCS included


def _symbol_bits(symbol: int) -> list[int]:
    return [(symbol >> i) & 1 for i in range(6)]


def crc16(data: bytes) -> int:
    """CRC-16/CCITT as RadioHead computes it: reflected polynomial 0x8408, initial 0xFFFF."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def encode(payload: bytes) -> list[int]:
    """The bits a RadioHead ASK transmitter sends for ``payload`` (headers included): the
    preamble, the start symbol, then the count byte, the payload and the complemented CRC (low
    byte first), each byte as two 6-bit symbols, high nibble first."""
    if len(payload) + 3 > MAX_LENGTH:
        raise ValueError(f"RadioHead: at most {MAX_LENGTH - 3} payload bytes, got {len(payload)}")
    message = bytes([len(payload) + 3]) + bytes(payload)
    fcs = ~crc16(message) & 0xFFFF
    message += bytes([fcs & 0xFF, fcs >> 8])
    bits = _symbol_bits(0x2A) * PREAMBLE + _symbol_bits(START[0]) + _symbol_bits(START[1])
    for byte in message:
        bits += _symbol_bits(SYMBOLS[byte >> 4]) + _symbol_bits(SYMBOLS[byte & 0xF])
    return bits


def decode(bits) -> tuple[bytes | None, str]:
    """Find a RadioHead ASK message in a burst's bits. Returns (message without the count and
    FCS, "ok") or (None, why not): "no start symbol", "bad symbol", "short", "bad length",
    "crc"."""
    # A burst ends with its last pulse: the 0s after it (at most 4 in this code) are silence.
    bits = list(bits) + [0] * 4
    start = _symbol_bits(START[0]) + _symbol_bits(START[1])
    lead = [0, 1] * 4  # the end of the preamble must come before the start symbol
    pattern = lead + start
    for at in range(len(bits) - len(pattern) + 1):
        if bits[at:at + len(pattern)] == pattern:
            break
    else:
        return None, "no start symbol"
    pos, message, count = at + len(pattern), bytearray(), MAX_LENGTH
    while len(message) < count:
        if pos + 12 > len(bits):
            return None, "short"
        nibbles = []
        for j in (pos, pos + 6):
            symbol = sum(b << i for i, b in enumerate(bits[j:j + 6]))
            if symbol not in NIBBLE:
                return None, "bad symbol"
            nibbles.append(NIBBLE[symbol])
        message.append(nibbles[0] << 4 | nibbles[1])
        if len(message) == 1:
            count = message[0]
            if not 3 <= count <= MAX_LENGTH:
                return None, "bad length"
        pos += 12
    fcs = message[-2] | message[-1] << 8
    if ~crc16(message[:-2]) & 0xFFFF != fcs:
        return None, "crc"
    return bytes(message[1:-2]), "ok"


def sensible_living(data: bytes) -> dict | None:
    """The fields of a Sensible Living plant moisture sensor, named as rtl_433 names them (the
    battery is sent in units of 10 mV)."""
    if len(data) < 10:
        return None
    return {"model": "SensibleLiving-Moisture", "house_id": data[0],
            "module_id": data[1] << 8 | data[2], "sensor_type": data[3], "sensor_count": data[4],
            "alarms": data[5], "sensor_value": data[6] << 8 | data[7],
            "battery_mV": 10 * (data[8] << 8 | data[9]), "mic": "CRC"}


def radiohead(data: bytes) -> dict:
    """A generic RadioHead message: its four header bytes and payload, as rtl_433 names them."""
    return {"model": "RadioHead-ASK", "len": max(0, len(data) - 4), "to": data[0] if data else None,
            "from": data[1] if len(data) > 1 else None, "id": data[2] if len(data) > 2 else None,
            "flags": data[3] if len(data) > 3 else None, "payload": list(data[4:]), "mic": "CRC"}


MODELS = {"radiohead": radiohead, "sensible_living": sensible_living}


class RadioHeadDecoder(Block):
    """Decodes RadioHead ASK messages (the Arduino RadioHead library's RH_ASK) from OOK bursts.

    Takes the burst messages of ``OOKDemod(bit_rate=…)`` (RH_ASK sends 2000 bit/s by default;
    Sensible Living sensors 1000) and finds the preamble and start symbol, reads the 4-to-6
    symbols, the count byte and the CRC-16 (CCITT, reflected, complemented), and posts every
    message whose CRC holds as a dict of rtl_433's fields, with ``time`` (the burst's start in
    s) and ``data`` (the bytes in hex). Bursts that hold no message are counted by reason in
    ``rejected``; ``decoded`` keeps the latest 1000 messages and ``decoded_count`` counts them
    all.

    Signature: message ``in`` -> message ``out``

    Parameters
    ----------
    model : str
        "radiohead" (header bytes to, from, id, flags and the payload) or "sensible_living"
        (a Sensible Living plant moisture sensor: house, module, sensor value, battery).

    Example: ``fg.connect((OOKDemod(bit_rate=1000), "bursts"), (RadioHeadDecoder("sensible_living"), "in"))``
    """

    message_inputs = ("in",)
    message_outputs = ("out",)
    KEEP = 1000  # messages kept in ``decoded``

    def __init__(self, model: str = "radiohead"):
        if model not in MODELS:
            raise ValueError(f"RadioHeadDecoder: model must be one of {sorted(MODELS)}, got {model!r}")
        self.model = model
        self.start(None)

    def start(self, rate):
        self.decoded, self.rejected = collections.deque(maxlen=self.KEEP), {}
        self.decoded_count = 0

    def handle_message(self, port, burst):
        if not isinstance(burst, dict) or "bits" not in burst:
            raise ValueError("RadioHeadDecoder takes OOKDemod's bursts with bits: give OOKDemod "
                             "a bit_rate (1000 for Sensible Living, 2000 for RadioHead's default)")
        data, why = decode(burst["bits"])
        fields = MODELS[self.model](data) if data is not None else None
        if fields is None:
            why = why if data is None else "too short for the model"
            self.rejected[why] = self.rejected.get(why, 0) + 1
            return
        fields = {"time": burst.get("start"), **fields, "data": data.hex()}
        self.decoded.append(fields)
        self.decoded_count += 1
        self.post("out", fields)

    def counters(self) -> dict:
        return {"decoded": self.decoded_count, "rejected": sum(self.rejected.values())}
