"""RDS groups (IEC 62106; RBDS, NRSC-4, in North America): what the blocks of a group say, and
groups made into bits for the simulated station. Shared by ``RDSDecoder`` and
``FMStationSource``."""
from __future__ import annotations

import datetime

import numpy as np

from sdrflow.kernels.rds import OFFSETS, syndrome

#: Programme types, RDS (Europe) and RBDS (North America) tables.
PTY_RDS = ("None", "News", "Current affairs", "Information", "Sport", "Education", "Drama",
           "Culture", "Science", "Varied", "Pop music", "Rock music", "Easy listening",
           "Light classical", "Serious classical", "Other music", "Weather", "Finance",
           "Children's programmes", "Social affairs", "Religion", "Phone-in", "Travel",
           "Leisure", "Jazz music", "Country music", "National music", "Oldies music",
           "Folk music", "Documentary", "Alarm test", "Alarm")
PTY_RBDS = ("None", "News", "Information", "Sports", "Talk", "Rock", "Classic rock",
            "Adult hits", "Soft rock", "Top 40", "Country", "Oldies", "Soft", "Nostalgia",
            "Jazz", "Classical", "Rhythm and blues", "Soft rhythm and blues", "Language",
            "Religious music", "Religious talk", "Personality", "Public", "College",
            "Spanish talk", "Spanish music", "Hip hop", "Unassigned", "Unassigned", "Weather",
            "Emergency test", "Emergency")

#: Decoder identification: the flag each of the four PS segments carries.
DI_FLAGS = ("dynamic_pty", "compressed", "artificial_head", "stereo")

#: RadioText+ content types (RDS Forum R06/040_1), by number.
RTPLUS_TYPES = (
    "dummy_class", "item.title", "item.album", "item.tracknumber", "item.artist",
    "item.composition", "item.movement", "item.conductor", "item.composer", "item.band",
    "item.comment", "item.genre", "info.news", "info.news.local", "info.stockmarket",
    "info.sport", "info.lottery", "info.horoscope", "info.daily_diversion", "info.health",
    "info.event", "info.scene", "info.cinema", "info.tv", "info.date_time", "info.weather",
    "info.traffic", "info.alarm", "info.advertisement", "info.url", "info.other",
    "stationname.short", "stationname.long", "programme.now", "programme.next",
    "programme.part", "programme.host", "programme.editorial_staff", "programme.frequency",
    "programme.homepage", "programme.subchannel", "phone.hotline", "phone.studio",
    "phone.other", "sms.studio", "sms.other", "email.hotline", "email.studio", "email.other",
    "mms.other", "chat", "chat.centre", "vote.question", "vote.centre", "unknown", "unknown",
    "unknown", "unknown", "unknown", "place", "appointment", "identifier", "purchase",
    "get_data")

#: Open data applications a 3A group may announce (RDS Forum's list), by application ID.
ODA_APPS = {
    0x0000: "None", 0x0093: "Cross referencing DAB within RDS",
    0x0BCB: "Leisure & Practical Info for Drivers",
    0x0CC1: "Wireless Playground broadcast control signal",
    0x0D45: "RDS-TMC: ALERT-C / EN ISO 14819-1",
    0x125F: "I-FM-RDS for fixed and mobile devices", 0x1C68: "ITIS In-vehicle data base",
    0x1DC5: "Encrypted TTI using ALERT-Plus", 0x4400: "RDS-Light", 0x4AA1: "RASANT",
    0x4BD7: "RadioText+ (RT+)", 0x4BD8: "RadioText Plus / RT+ for eRT",
    0x4D87: "Radio Commerce System (RCS)",
    0x50DD: "To warn people in case of disasters or emergency",
    0x5757: "Personal weather station", 0x6365: "RDS2 – 9 bit AF lists ODA",
    0x6552: "Enhanced RadioText (eRT)", 0x6A7A: "Warning receiver",
    0x7373: "Enhanced early warning system", 0xA112: "NL _ Alert system",
    0xA911: "Data FM Selective Multipoint Messaging", 0xABCF: "RF Power Monitoring",
    0xC350: "NRSC Song Title and Artist", 0xC3A1: "Personal Radio Service",
    0xC3B0: "iTunes Tagging", 0xC3C3: "NAVTEQ Traffic Plus", 0xC4D4: "eEAS",
    0xC549: "Smart Grid Broadcast Channel", 0xC563: "ID Logic",
    0xC6A7: "Veil Enabled Interactive Device", 0xC737: "Utility Message Channel (UMC)",
    0xCD46: "RDS-TMC: ALERT-C", 0xCD47: "RDS-TMC: ALERT-C",
    0xCE6B: "Encrypted TTI using ALERT-Plus", 0xE123: "APS Gateway", 0xE1C1: "Action code",
    0xE411: "Beacon downlink", 0xE911: "EAS open protocol", 0xFF7F: "RFT: Station logo",
    0xFF80: "RFT+ (work title)", 0x6363: "Hybradio RDS-Net(for testing use, only)",
}
ODA_APPS.update({aid: f"ELECTRABEL-DSM {i}" for i, aid in enumerate(
    (0x1BDA, 0x0F87, 0x0E2C, 0x1D47, 0x4BA2, 0xE5D7, 0x0C24, 0xCD9E, 0x4AB7, 0x1CB1, 0x4D9A,
     0xE319, 0x0E31, 0xCB97, 0xE440, 0x4D95, 0x1E8F, 0x0D8B, 0xE4A6, 0x1C5E), 1)})
ODA_APPS.update({aid: f"CITIBUS {i}" for i, aid in enumerate((0xCB73, 0x4C59, 0xCC21, 0x1DC2), 1)})
RTPLUS = 0x4BD7

#: Countries (ISO 3166 letters) by extended country code (ECC, from group 1A) and the PI's
#: first nibble 1–F; "--" where none is assigned (EN 50067 Annex D, RDS Forum R08/008_7).
COUNTRIES = {int(row.split()[0], 16): row.split()[1:] for row in """
    A0 us us us us us us us us us us us -- us us --
    A1 -- -- -- -- -- -- -- -- -- -- ca ca ca ca gl
    A2 ai ag ec fk bb bz ky cr cu ar br bm an gp bs
    A3 bo co jm mq gf py ni -- pa dm do cl gd tc gy
    A4 gt hn aw -- ms tt pe sr uy kn lc sv ht ve --
    A5 -- -- -- -- -- -- -- -- -- -- mx vc mx mx mx
    A6 -- -- -- -- -- -- -- -- -- -- -- -- -- -- pm
    D0 cm cf dj mg ml ao gq ga gn za bf cg tg bj mw
    D1 na lr gh mr st cv sn gm bi -- bw km tz et bg
    D2 sl zw mz ug sz ke so ne td gw zr ci tz zm --
    D3 -- -- eh -- rw ls -- sc -- mu -- sd -- -- --
    E0 de dz ad il it be ru ps al at hu mt de -- eg
    E1 gr cy sm ch jo fi lu bg dk gi iq gb ly ro fr
    E2 ma cz pl va sk sy tn -- li is mc lt rs es no
    E3 me ie tr mk -- -- -- nl lv lb az hr kz se by
    E4 md ee kg -- -- ua ks pt si am -- ge -- -- ba
    F0 au au au au au au au au sa af mm cn kp bh my
    F1 ki bt bd pk fj om nr ir nz sb bn lk tw kr hk
    F2 kw qa kh ws in mo vn ph jp sg mv id ae np vu
    F3 la th to -- -- -- -- -- pg -- ye -- -- fm mn""".strip().splitlines()}


def checkword(data: int, offset: int) -> int:
    """The 10 check bits of a block: ``data``·x¹⁰ modulo the generator, plus the offset word."""
    return int(syndrome(np.int64(data << 10))) ^ offset


def group_bits(blocks) -> np.ndarray:
    """The 104 bits of a group of four 16-bit blocks (C′ in place of C for a version B group),
    each followed by its checkword, first bit first."""
    version_b = blocks[1] >> 11 & 1
    offsets = (OFFSETS[0], OFFSETS[1], OFFSETS[3] if version_b else OFFSETS[2], OFFSETS[4])
    bits = []
    for data, offset in zip(blocks, offsets):
        word = data << 10 | checkword(data, int(offset))
        bits += [word >> (25 - i) & 1 for i in range(26)]
    return np.array(bits, np.uint8)


def rtplus_tags(radiotext: str, tags: dict) -> list:
    """``{"item.title": "Blurry", …}`` (at most two, each a part of ``radiotext``) as
    RadioText+ tags: (content type number, start, length); ValueError when one cannot be."""
    if len(tags) > 2:
        raise ValueError(f"RadioText+ sends two tags at a time, got {len(tags)}")
    out = []
    for name, text in tags.items():
        if name not in RTPLUS_TYPES[1:] or name == "unknown":
            raise ValueError(f"{name!r} is not a RadioText+ content type (item.title, "
                             f"item.artist, … as RDS Forum R06/040_1 names them)")
        start = radiotext[:64].find(text) if isinstance(text, str) and text else -1
        if start < 0:
            raise ValueError(f"RadioText+ tag {name!r}: {text!r} is not a part of the "
                             f"radiotext (of its first 64 characters, all RDS sends)")
        out.append((RTPLUS_TYPES.index(name), start, len(text)))
    if len(out) == 2 and out[1][2] > 32:
        raise ValueError("RadioText+: the second tag is at most 32 characters long")
    return out


def af_code(khz: int) -> int:
    """The code of an FM alternative frequency (87.6–107.9 MHz in steps of 100 kHz)."""
    if (isinstance(khz, bool) or not isinstance(khz, (int, float, np.integer, np.floating))
            or not (87600 <= khz <= 107900 and khz % 100 == 0)):
        raise ValueError(f"an alternative frequency is 87600–107900 kHz in steps of 100 kHz, "
                         f"got {khz!r}")
    return (int(khz) - 87500) // 100


def station_groups(pi: int, ps: str, radiotext: str, pty: int = 0, tags=(), af=(),
                   stereo: bool = False, others=()) -> list:
    """One cycle of groups for a station: the programme service name (four 0A groups) and the
    radiotext (2A groups, four characters each, ended by a carriage return when shorter than
    64), PS groups between RT groups as stations send them. ``af``: alternative frequencies
    in kHz, a method A list in block C of the 0A groups (their count first); ``stereo`` sets
    the decoder identification's stereo flag (PS segment 3). With RadioText+
    ``tags`` (from ``rtplus_tags``) the cycle ends with a 3A group giving RT+ the group type
    12A and a 12A group of the tags (an item running). ``others``: (PI, PS name) of other
    networks the station announces, four 14A groups each (variants 0–3, the name)."""
    if len(af) > 25:
        raise ValueError(f"a method A list holds at most 25 alternative frequencies, "
                         f"got {len(af)}")
    codes = [224 + len(af)] + [af_code(f) for f in af]
    codes += [205] * (len(codes) % 2)  # the filler code
    af_words = [codes[i] << 8 | codes[i + 1] for i in range(0, len(codes), 2)]
    ps = encode_text(ps.ljust(8)[:8])
    text = radiotext[:64]
    if len(text) < 64:
        text += "\r"
    text = encode_text(text.ljust(-(-len(text) // 4) * 4))
    b_common = pty << 5
    ps_groups = [[pi, 0x0000 | b_common | 1 << 3 | (seg == 3 and stereo) << 2 | seg,  # 0A, music
                  0, ps[2 * seg] << 8 | ps[2 * seg + 1]] for seg in range(4)]
    rt_groups = [[pi, 0x2000 | b_common | seg, text[4 * seg] << 8 | text[4 * seg + 1],
                  text[4 * seg + 2] << 8 | text[4 * seg + 3]]
                 for seg in range(len(text) // 4)]
    groups = []
    for i in range(max(len(rt_groups), 1)):
        groups += [list(g) for g in ps_groups] if i % 2 == 0 else []
        groups += rt_groups[i:i + 1]
    while sum(g[1] >> 11 == 0 for g in groups) % len(af_words):
        groups += [list(g) for g in ps_groups]  # so the AF list fits the cycle a whole times
    for i, g in enumerate(g for g in groups if g[1] >> 11 == 0):
        g[2] = af_words[i % len(af_words)]
    if tags:
        (t1, s1, n1), (t2, s2, n2) = (list(tags) + [(0, 0, 1)])[:2]
        groups += [[pi, 0x3000 | b_common | 12 << 1, 0x0000, RTPLUS],
                   [pi, 0xC000 | b_common | 1 << 3 | t1 >> 3,
                    (t1 & 7) << 13 | s1 << 7 | (n1 - 1) << 1 | t2 >> 5,
                    (t2 & 0x1F) << 11 | s2 << 5 | (n2 - 1)]]
    for other, name in others:
        if not (isinstance(other, int) and 0 < other <= 0xFFFF):
            raise ValueError(f"another network's PI is 1–0xFFFF, got {other!r}")
        name = encode_text(name.ljust(8)[:8])
        groups += [[pi, 0xE000 | b_common | v, name[2 * v] << 8 | name[2 * v + 1], other]
                   for v in range(4)]
    return groups


def playing(fields: dict) -> str | None:
    """What a group's RadioText+ says is playing, "artist – title" (the parts it tags, artist
    first), or None when it tags nothing or no item is running."""
    plus = fields.get("radiotext_plus", {})
    if not plus.get("item_running") or not plus.get("tags"):
        return None
    tags = sorted(plus["tags"], key=lambda t: t["content-type"] != "item.artist")
    return " – ".join(t["data"] for t in tags)


def alternative_frequencies(fields: dict) -> list | None:
    """The alternative frequencies (kHz) a group completed: a method A list, or the same
    programme's frequencies of a method B list; None when it completed none."""
    return (fields.get("alt_frequencies_a")
            or fields.get("alt_frequencies_b", {}).get("same_programme"))


#: North American stations with three-letter call signs, by PI code (NRSC-4).
THREE_LETTER = dict((int(pi, 16), name) for pi, name in zip(*[iter("""
    9950 KEX 9951 KFH 9952 KFI 9953 KGA 9954 KGO 9955 KGU 9956 KGW 9957 KGY 9958 KID 9959 KIT
    995A KJR 995B KLO 995C KLZ 995D KMA 995E KMJ 995F KNX 9960 KOA 9964 KQV 9965 KSL 9966 KUJ
    9967 KVI 9968 KWG 996B KYW 996D WBZ 996E WDZ 996F WEW 9971 WGL 9972 WGN 9973 WGR 9975 WHA
    9976 WHB 9977 WHK 9978 WHO 997A WIP 997B WJR 997C WKY 997D WLS 997E WLW 9981 WOC 9983 WOL
    9984 WOR 9988 WWJ 9989 WWL 9990 KDB 9991 KGB 9992 KOY 9993 KPQ 9994 KSD 9995 KUT 9996 KXL
    9997 KXO 9999 WBT 999A WGH 999B WGY 999C WHP 999D WIL 999E WMC 999F WMT 99A0 WOI 99A1 WOW
    99A2 WRR 99A3 WSB 99A4 WSM 99A5 KBW 99A6 KCY 99A7 KDF 99AA KHQ 99AB KOB 99B3 WIS 99B4 WJW
    99B5 WJZ 99B9 WRC""".split())] * 2))
#: Nationally linked networks (PI Bxyy), by ``yy`` (NRSC-4).
NETWORKS = {1: "NPR-1", 2: "CBC English - Radio One", 3: "CBC English - Radio Two",
            4: "CBC French => Radio-Canada - Première Chaîne",
            5: "CBC French => Radio-Canada - Espace Musique", 6: "CBC", 7: "CBC", 8: "CBC",
            9: "CBC", 10: "NPR-2", 11: "NPR-3", 12: "NPR-4", 13: "NPR-5", 14: "NPR-6"}


def callsign(pi: int) -> str | None:
    """A North American station's call letters from its PI code (NRSC-4), or its network's
    name for a nationally linked one; None when the code is neither."""
    # A code with zero nibbles is sent with an A in front: P1 0 P3 P4 as A P1 P3 P4,
    # P1 P2 0 0 as A F P1 P2, P1 0 0 0 as A F A P1.
    if pi & 0xFFF0 == 0xAFA0 and pi & 0xF < 0xA:
        pi = (pi & 0xF) << 12
    elif pi & 0xFF00 == 0xAF00:
        pi = (pi & 0xFF) << 8
    elif pi >> 12 == 0xA:
        pi = (pi & 0x0F00) << 4 | (pi & 0xFF)
    if 0x9950 <= pi <= 0x9EFF:
        return THREE_LETTER.get(pi)
    if pi >> 12 == 0xB:  # the second nibble is the area covered
        return NETWORKS.get(pi & 0xFF)
    if 0x1000 <= pi <= 0x994F:
        first, n = ("K", pi - 0x1000) if pi < 0x54A8 else ("W", pi - 0x54A8)
        return first + chr(65 + n // 676) + chr(65 + n // 26 % 26) + chr(65 + n % 26)
    return None


#: RDS's character set (EN 50067 Annex E, table E.1), by code: ASCII from 0x20 to 0x7D but
#: for ¤ ― ‖ ¯ in the places of $ ^ ` ~, then accented letters and signs; the controls are
#: spaces but for line feed, carriage return (the end of a radiotext) and a soft hyphen.
#: German ß at 0x8D and Turkish ğ Ğ at 0x9D 0xA4, as most decoders read them (redsea: β ǧ Ǧ).
CHARSET = (" " * 10 + "\n  \r" + " " * 17 + "\u00ad"
           + " !\"#¤%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]―_"
           + "‖abcdefghijklmnopqrstuvwxyz{|}¯ "
           + "áàéèíìóòúùÑÇŞß¡Ĳâäêëîïôöûüñçşğıĳªα©‰Ğěňőπ€£$←↑→↓º¹²³±İńűµ¿÷°¼½¾§"
           + "ÁÀÉÈÍÌÓÒÚÙŘČŠŽÐĿÂÄÊËÎÏÔÖÛÜřčšžđŀÃÅÆŒŷÝÕØÞŊŔĆŚŹŦðãåæœŵýõøþŋŕćśźŧ ")
_CODES = {c: i for i, c in enumerate(CHARSET) if c != " " or i == 0x20}


def encode_text(text: str) -> list:
    """``text`` as codes of RDS's character set; ValueError naming a character it lacks."""
    missing = sorted({c for c in text if c not in _CODES})
    if missing:
        raise ValueError(f"RDS's character set has no {''.join(missing)!r}")
    return [_CODES[c] for c in text]


def _chars(word: int) -> str:
    return CHARSET[word >> 8] + CHARSET[word & 0xFF]


class GroupParser:
    """Reads groups, one at a time, into dicts of what they say, and keeps what takes several
    groups to send: the programme service name (PS, 8 characters in four 0A/0B groups) and the
    radiotext (RT, up to 64 in 2A groups of four or 2B groups of two).

    ``feed(blocks, c_prime)`` takes the four data words of a group, None for a block lost,
    and whether block C came with offset C′ (then it repeats the PI); it returns
    a dict with ``pi`` (hex text), ``callsign`` (``rbds``), ``group`` (like ``0A``), ``tp``,
    ``prog_type``, and, when a group completes one, ``ps``, ``radiotext`` or ``clock_time``
    (ISO 8601 with the station's offset from UTC); None when the group says nothing (no PI),
    or names a PI for the first time (taken when the next group names it too: a station, or
    another after a retune, not a block corrected wrongly in noise).

    Also, as redsea names them: ``ta``, ``is_music`` and ``di`` (one decoder identification
    flag per 0A/0B group) from a PS group, and ``alt_frequencies_a`` (a list in kHz) or
    ``alt_frequencies_b`` once a 0A group completes a list; ``has_linkage`` and ``country``,
    ``tmc_id``, ``language`` or ``ews`` from a 1A group, and ``prog_item_number`` with
    ``prog_item_started`` (``day``, ``time``) from either kind of group 1; ``other_network``
    (``pi``, ``tp`` and, as 14A groups bring them, ``ps``, ``alt_frequencies``,
    ``kilohertz``, ``has_linkage``, ``linkage_set``, ``prog_type``, ``ta``, the programme item,
    ``broadcaster_data``) from group 14; ``pty_name`` once 10A groups complete it;
    ``open_data_app`` (``oda_group``, ``app_name``, ``app_id``) from a 3A group, which says
    which group type carries an application; and
    ``radiotext_plus`` (``item_running``, ``item_toggle``, ``tags``: the content type and
    text of up to two parts of the last whole radiotext, such as ``item.title`` and
    ``item.artist``) from the group type a 3A group gave to RadioText+.
    """

    def __init__(self, rbds: bool = False):
        self.rbds = rbds
        self.pi = self._candidate = None
        self._ps = [None] * 4
        self._rt = [None] * 16
        self._rt_ab = None
        self._rt_last = None  # the last whole radiotext, as sent (RT+ tags point into it)
        self._oda = {}  # group type ("11A") -> the application a 3A group gave it
        self._rtplus_item = None  # (toggle, running) of RT+: a change clears the radiotext
        self._af, self._af_expected, self._lf_mf = [], 0, False  # an AF list coming in
        self._ptyn, self._ptyn_ab = [None] * 2, None  # the programme type name's two halves
        self._eon_ps, self._eon_af = {}, {}  # by other network's PI: its name and AF list

    def feed(self, blocks, c_prime: bool = False) -> dict | None:
        a, b, c, d = blocks
        own = a if a is not None else (c if c_prime else None)
        pi = own if own is not None else self.pi
        if pi is None:
            return None
        if pi != self.pi:
            # The first PI, another one (a new station after a retune), or a block corrected
            # wrongly, which noise makes now and then. It is taken when it comes again in the
            # next group that has one; until then its group is left out.
            candidate, self._candidate = self._candidate, pi
            if pi != candidate:
                return None
        self.pi, self._candidate = pi, None
        out = {"pi": f"0x{pi:04X}"}
        if self.rbds:
            call = callsign(pi)
            if call:
                out["callsign"] = call
        if b is None:
            return out
        kind, version = b >> 12, b >> 11 & 1
        out["group"] = f"{kind}{'AB'[version]}"
        out["tp"] = bool(b >> 10 & 1)
        out["prog_type"] = (PTY_RBDS if self.rbds else PTY_RDS)[b >> 5 & 0x1F]
        if kind == 0:
            if version == 0 and c is not None:
                self._alternative_frequencies(c, out)
            self._program_service(b, d, out)
        elif kind == 2:
            self._radiotext(b, c, d, version, out)
        elif kind == 1:
            if version == 0 and c is not None:
                self._slow_labelling(c, out)
            if d:  # 0: no programme item
                _programme_item(d, out)
        elif kind == 14 and d is not None:
            out["other_network"] = self._other_network(b, c, d, version)
        elif kind == 4 and version == 0 and c is not None and d is not None:
            out["clock_time"] = _clock_time(b, c, d)
        elif kind == 10 and version == 0 and c is not None and d is not None:
            self._programme_type_name(b, c, d, out)
        elif kind == 3 and version == 0 and c is not None and d is not None:
            group = f"{b >> 1 & 0xF}{'AB'[b & 1]}"
            self._oda[group] = d
            out["open_data_app"] = {"oda_group": group,
                                    "app_name": ODA_APPS.get(d, "(Unknown)"),
                                    "app_id": f"{d:04X}"}
        elif self._oda.get(out["group"]) == RTPLUS:
            out["radiotext_plus"] = self._radiotext_plus(b, c, d)
        return out

    def _program_service(self, b, d, out):
        out["di"] = {DI_FLAGS[b & 3]: bool(b >> 2 & 1)}
        out["ta"] = bool(b >> 4 & 1)
        out["is_music"] = bool(b >> 3 & 1)
        if d is None:
            return
        segment = b & 3
        self._ps[segment] = _chars(d)
        if segment == 3 and all(p is not None for p in self._ps):
            out["ps"] = "".join(self._ps)
            self._ps = [None] * 4

    def _programme_type_name(self, b, c, d, out):
        """Group 10A: half of the programme type name (PTYN, eight characters, as the station
        words its programme type); a flipped A/B flag starts a new name."""
        if b >> 4 & 1 != self._ptyn_ab:
            self._ptyn, self._ptyn_ab = [None] * 2, b >> 4 & 1
        self._ptyn[b & 1] = _chars(c) + _chars(d)
        if None not in self._ptyn:
            out["pty_name"] = "".join(self._ptyn)

    def _slow_labelling(self, c, out):
        """Block C of a 1A group: the linkage flag, and one of its variants: the extended
        country code (the country, with the PI's first nibble), the TMC provider, or an
        emergency warning code."""
        out["has_linkage"] = bool(c >> 15)
        variant = c >> 12 & 7
        if variant == 0 and c & 0xFF:
            row = COUNTRIES.get(c & 0xFF)
            nibble = self.pi >> 12
            out["country"] = row[nibble - 1] if row and nibble else "--"
        elif variant == 1:
            out["tmc_id"] = c & 0xFFF
        elif variant == 3:
            out["language"] = LANGUAGES.get(c & 0xFF, "")
        elif variant == 7:
            out["ews"] = c & 0xFFF

    def _other_network(self, b, c, d, version) -> dict:
        """Group 14 (enhanced other networks): what this station says of another, whose PI is
        block D. 14B only flags its traffic announcement; 14A's variant (block B's last four
        bits) says what block C holds: two characters of its PS name (0–3), two codes of its
        alternative frequencies (4), its frequency beside one of this station's (5–9), its
        linkage (12), programme type and traffic announcement (13), its programme item (14)
        or the broadcaster's own bits (15)."""
        on = {"pi": f"0x{d:04X}", "tp": bool(b >> 4 & 1)}
        if version == 1:
            on["ta"] = bool(b >> 3 & 1)
            return on
        if c is None:
            return on
        variant = b & 0xF
        if variant <= 3:
            ps = self._eon_ps.setdefault(d, [None] * 4)
            ps[variant] = _chars(c)
            if all(ps):
                on["ps"] = "".join(ps)
        elif variant == 4:
            count, freqs = self._eon_af.get(d, (0, []))
            for code in (c >> 8, c & 0xFF):
                if 225 <= code <= 249:
                    count, freqs = code - 224, []
                elif 1 <= code <= 204 and count and len(freqs) < count:
                    freqs.append(87500 + 100 * code)
            self._eon_af[d] = (count, freqs)
            if count and len(freqs) == count:
                on["alt_frequencies"] = freqs
                self._eon_af[d] = (0, [])
        elif 5 <= variant <= 9 and 1 <= (c & 0xFF) <= 204:
            on["kilohertz"] = 87500 + 100 * (c & 0xFF)
        elif variant == 12:
            on["has_linkage"] = bool(c >> 15)
            if c >> 15 and c & 0xFFF:
                on["linkage_set"] = c & 0xFFF
        elif variant == 13:
            on["prog_type"] = (PTY_RBDS if self.rbds else PTY_RDS)[c >> 11 & 0x1F]
            on["ta"] = bool(c & 1)
        elif variant == 14 and c:
            _programme_item(c, on)
        elif variant == 15:
            on["broadcaster_data"] = f"{c:04X}"
        return on

    def _alternative_frequencies(self, c, out):
        """Block C of a 0A group: two codes of the station's list of alternative frequencies,
        which starts with its length. A list of an odd length of at least three whose every
        pair holds the first (the frequency tuned) is method B: each pair is the same
        programme elsewhere, or a regional variant when the larger frequency comes first."""
        for code in (c >> 8, c & 0xFF):
            lf_mf, self._lf_mf = self._lf_mf, False
            if 1 <= code <= (135 if lf_mf else 204) and self._af_expected:
                if len(self._af) == self._af_expected:  # more than it said: start again
                    self._af, self._af_expected = [], 0
                    continue
                self._af.append(87500 + 100 * code if not lf_mf else
                                144 + 9 * code if code <= 15 else 522 + 9 * (code - 15))
            elif 225 <= code <= 249:
                self._af, self._af_expected = [], code - 224
            elif code == 250:
                self._lf_mf = True
            elif code not in (205, 224):  # neither filler nor "no AF": a code out of place
                self._af, self._af_expected = [], 0
        af = self._af
        if not af or len(af) != self._af_expected:
            return
        self._af, self._af_expected = [], 0
        tuned = af[0]
        pairs = [af[i:i + 2] for i in range(1, len(af) - 1, 2)]
        if len(af) >= 3 and len(af) % 2 and all(tuned in p for p in pairs):
            same = [b if a == tuned else a for a, b in pairs if a < b]
            regional = [b if a == tuned else a for a, b in pairs if a > b]
            if len(set(same)) + len(set(regional)) == len(pairs):  # no pair came twice
                out["alt_frequencies_b"] = {"tuned_frequency": tuned, "same_programme": same,
                                            "regional_variants": regional}
        else:
            out["alt_frequencies_a"] = af

    def _radiotext(self, b, c, d, version, out):
        ab = b >> 4 & 1
        if ab != self._rt_ab:  # the A/B flag flips: a new text
            self._rt, self._rt_last = [None] * 16, None
            self._rt_ab = ab
        segment = b & 0xF
        if version == 0:
            if c is None or d is None:
                return
            words = (c, d)
        else:
            if d is None:
                return
            words = (d,)
        text = "".join(map(_chars, words))
        self._rt[segment] = text
        parts = []
        for part in self._rt:
            if part is None:
                return
            parts.append(part)
            if "\r" in part:
                break
        whole = "".join(parts)
        if "\r" in whole or len(parts) == 16:
            self._rt_last = whole.split("\r")[0]
            out["radiotext"] = self._rt_last.rstrip()
            self._rt = [None] * 16
            self._rt_ab = ab

    def _radiotext_plus(self, b, c, d):
        """RadioText+ in the group type its 3A group named: which parts of the radiotext are
        what (content type, start, length − 1 in bits of blocks B, C and D)."""
        item = (b >> 4 & 1, bool(b >> 3 & 1))
        if item != self._rtplus_item:
            if self._rtplus_item is not None:  # a new item: the radiotext of the old one goes
                self._rt, self._rt_last = [None] * 16, None
            self._rtplus_item = item
        out = {"item_running": item[1], "item_toggle": item[0]}
        tags = []
        if c is not None:
            tags.append(((b & 7) << 3 | c >> 13, c >> 7 & 0x3F, (c >> 1 & 0x3F) + 1))
            if d is not None:
                tags.append(((c & 1) << 5 | d >> 11, d >> 5 & 0x3F, (d & 0x1F) + 1))
        for kind, start, length in tags:
            text = (self._rt_last or "")[start:start + length].rstrip()
            if kind and text:
                out.setdefault("tags", []).append({"content-type": RTPLUS_TYPES[kind],
                                                   "data": text})
        return out


#: Languages by the code of a 1A group's variant 3 (IEC 62106, the standard's spellings).
LANGUAGES = dict(enumerate("""Unknown Albanian Breton Catalan Croatian Welsh Czech Danish German
    English Spanish Esperanto Estonian Basque Faroese French Frisian Irish Gaelic Galician
    Icelandic Italian Lappish Latin Latvian Luxembourgian Lithuanian Hungarian Maltese Dutch
    Norwegian Occitan Polish Portuguese Romanian Romansh Serbian Slovak Slovene Finnish Swedish
    Turkish Flemish Walloon""".split()))
LANGUAGES[0x40] = "Background"
LANGUAGES.update(enumerate("""Zulu Vietnamese Uzbek Urdu Ukrainian Thai Telugu Tatar Tamil
    Tadzhik Swahili SrananTongo Somali Sinhalese Shona Serbo-Croat Ruthenian Russian Quechua
    Pushtu Punjabi Persian Papamiento Oriya Nepali Ndebele Marathi Moldovian Malaysian Malagasay
    Macedonian Laotian Korean Khmer Kazakh Kannada Japanese Indonesian Hindi Hebrew Hausa Gurani
    Gujurati Greek Georgian Fulani Dari Churash Chinese Burmese Bulgarian Bengali Belorussian
    Bambora Azerbaijan Assamese Armenian Arabic Amharic""".split(), 0x45))


def _programme_item(pin: int, out: dict) -> None:
    """A programme item number (block D of group 1, or of a 14A group's variant 14): the day
    of the month, hour and minute the item was to start; nothing for an impossible time."""
    day, hour, minute = pin >> 11, pin >> 6 & 0x1F, pin & 0x3F
    if day >= 1 and hour <= 24 and minute <= 59:
        out["prog_item_number"] = pin
        out["prog_item_started"] = {"day": day, "time": f"{hour:02d}:{minute:02d}"}


def _clock_time(b, c, d) -> str:
    """Group 4A: the Modified Julian Day, UTC hour and minute, and the local offset in half
    hours, as ISO 8601 local time."""
    mjd = (b & 3) << 15 | c >> 1
    hour = (c & 1) << 4 | d >> 12
    minute = d >> 6 & 0x3F
    half_hours = d & 0x1F
    offset = datetime.timedelta(minutes=30 * half_hours * (-1 if d >> 5 & 1 else 1))
    utc = datetime.datetime(1858, 11, 17) + datetime.timedelta(days=mjd, hours=hour,
                                                                minutes=minute)
    local = (utc + offset).replace(tzinfo=datetime.timezone(offset))
    return local.isoformat()
