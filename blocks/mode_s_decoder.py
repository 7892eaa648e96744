import collections
import logging

from sdrflow.block import Block

log = logging.getLogger(__name__)


class ModeSDecoder(Block):
    """Decodes Mode S / ADS-B frames into fields with pyModeS and keeps a table of aircraft.

    Takes the frame messages of ModeSDemod (``{"raw": hex, "time": s, …}``) and posts each with
    pyModeS's fields added (callsign, squawk, altitude, groundspeed, track, vertical_rate, …).
    Airborne positions are resolved from an even and an odd CPR frame of the same aircraft at
    most ``pair_window`` seconds apart (``latitude``/``longitude`` on the newer one). With a
    ``reference`` (the receiver's latitude and longitude, as dump1090's ``--lat/--lon``) every
    position message is also resolved on its own, as dump1090 does: relative to the aircraft's
    last known position when it has one from the last ten minutes, else to the receiver (valid
    within 180 NM of it). ``position_from`` says which: "pair", "last" or "receiver".
    ``aircraft`` maps each ICAO address heard in the last ten minutes (of stream time) to the
    latest value of every field; ``positions`` keeps the latest 10000 positions as (time, icao,
    altitude, latitude, longitude), and ``positions_found`` counts them all (a receiver that
    runs for weeks holds no more).

    Signature: message ``in`` -> message ``out``

    Parameters
    ----------
    pair_window : float
        Largest time in seconds between the even and odd frames of a position.
    reference : (float, float), optional
        The receiver's latitude and longitude in degrees, for positions from single messages.

    Example: ``fg.connect((demod, "frames"), (ModeSDecoder(), "in"))``
    """

    message_inputs = ("in",)
    message_outputs = ("out",)
    KEEP_POSITIONS = 10_000

    def __init__(self, pair_window: float = 10.0, reference: tuple | None = None):
        try:
            import pyModeS  # noqa: F401
        except ImportError as e:
            raise ValueError("ModeSDecoder needs pyModeS: pip install 'sdrflow[adsb]'") from e
        if not pair_window > 0:
            raise ValueError(f"ModeSDecoder: pair_window must be > 0 s, got {pair_window!r}")
        self.pair_window = float(pair_window)
        if reference is not None:
            try:
                lat, lon = (float(v) for v in reference)
            except (TypeError, ValueError):
                raise ValueError(f"ModeSDecoder: reference must be (latitude, longitude), got {reference!r}") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"ModeSDecoder: reference {reference!r} is not a latitude in "
                                 f"[-90, 90] and a longitude in [-180, 180]")
            reference = (lat, lon)
        self.reference = reference
        self.start(None)

    def start(self, rate):
        self.aircraft, self.positions = {}, collections.deque(maxlen=self.KEEP_POSITIONS)
        self.positions_found = 0
        self._cpr = {}  # (icao, 0 even | 1 odd) -> (time, cpr_lat, cpr_lon)
        self._last = {}  # icao -> (time, latitude, longitude) of its last position
        self._pruned = 0.0  # stream time when aircraft gone quiet were last forgotten

    def _forget_before(self, t):
        """Forget aircraft not heard for ten minutes and CPR frames too old to pair, so a
        receiver that runs for weeks holds only what is in the air."""
        self._pruned = t
        for icao in [k for k, e in self.aircraft.items() if t - e.get("time", t) > 600]:
            del self.aircraft[icao]
        for icao in [k for k, (when, _, _) in self._last.items() if t - when > 600]:
            del self._last[icao]
        for key in [k for k, (when, _, _) in self._cpr.items() if t - when > self.pair_window]:
            del self._cpr[key]

    def handle_message(self, port, frame):
        import pyModeS
        from pyModeS.position import airborne_position_pair

        try:
            # Address-parity formats: ModeSDemod matched the address to a known aircraft.
            hint = frame.get("icao") if frame.get("crc") == "address" else None
            fields = dict(pyModeS.decode(frame["raw"], icao=hint.upper() if hint else None))
        except (pyModeS.DecodeError, KeyError, TypeError, ValueError) as e:
            raise ValueError(f"cannot decode {frame!r}: {e}") from e
        fields.update(time=frame.get("time"), raw=frame["raw"])
        icao = fields.get("icao")
        tc = fields.get("typecode")
        if icao and tc is not None and 9 <= tc <= 18 and fields.get("cpr_format") is not None:
            t, odd = frame.get("time", 0.0), int(fields["cpr_format"])
            self._cpr[(icao, odd)] = (t, fields["cpr_lat"], fields["cpr_lon"])
            other = self._cpr.get((icao, 1 - odd))
            position = how = None
            if other is not None and abs(t - other[0]) <= self.pair_window:
                even, odd_ = (self._cpr[(icao, 0)], self._cpr[(icao, 1)])
                position = airborne_position_pair(even[1], even[2], odd_[1], odd_[2], even_is_newer=not odd)
                how = "pair"
            if position is None and self.reference is not None:
                last = self._last.get(icao)
                near, how = ((last[1], last[2]), "last") if last and t - last[0] <= 600 \
                    else (self.reference, "receiver")
                single = pyModeS.decode(frame["raw"], reference=near)
                if single.get("latitude") is not None:
                    position = (single["latitude"], single["longitude"])
            if position is not None:
                fields["latitude"], fields["longitude"] = position
                fields["position_from"] = how
                self._last[icao] = (t, *position)
                self.positions.append((t, icao, fields.get("altitude"), *position))
                self.positions_found += 1
        if icao:
            entry = self.aircraft.setdefault(icao, {})
            entry.update({k: v for k, v in fields.items() if v is not None})
        t = frame.get("time")
        if t is not None and t - self._pruned >= 60:
            self._forget_before(t)
        self.post("out", fields)
