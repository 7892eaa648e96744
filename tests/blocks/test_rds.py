"""RDS: checkwords and block sync against a bit-serial reference, groups of a real station
against redsea's reading of them, and the whole receiver on a simulated station."""
import collections
import difflib
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sdrflow import Flowgraph
from sdrflow.blocks import (FMDemod, FMStationSource, FreqXlatingFilter, LowpassFilter,
                            MessageSink, RDSDecoder, RDSDemod, VectorSink, VectorSource)
from sdrflow.blocks._rds import (CHARSET, GroupParser, callsign, checkword, group_bits,
                                 rtplus_tags, station_groups)
from sdrflow.kernels.rds import (OFFSETS, PLACE, biphase_bits, burst_table, find_blocks,
                                 syndrome)

SPY = "rds/kfox_4569_2020-08-19.spy"
REDSEA = "rds/kfox_4569_2020-08-19.redsea.jsonl"


def crc_bit_serial(data: int) -> int:
    """The 10 check bits the slow way: a shift register fed one data bit at a time."""
    reg = 0
    for i in range(15, -1, -1):
        feedback = (data >> i & 1) ^ (reg >> 9 & 1)
        reg = (reg << 1) & 0x3FF
        if feedback:
            reg ^= 0x1B9  # the generator without its x¹⁰ term
    return reg


def test_checkwords_and_syndromes_agree_with_a_bit_serial_crc():
    rng = np.random.default_rng(1)
    for data in [0, 0xFFFF, 0x4569] + rng.integers(0, 1 << 16, 200).tolist():
        assert checkword(data, 0) == crc_bit_serial(data)
        for offset in OFFSETS.tolist():
            block = data << 10 | checkword(data, offset)
            assert syndrome(block) == offset
            assert syndrome(block ^ 1 << int(rng.integers(26))) != offset  # one bit wrong


def random_groups(rng, n):
    groups = rng.integers(0, 1 << 16, (n, 4)).tolist()
    return groups


def blocks_found(bits, chunks, max_bad=20):
    """Run find_blocks over ``bits`` in pieces of the given sizes."""
    state = np.zeros(10, np.int64)
    state[5], state[9] = max_bad, 2
    found = []
    pos = 0
    for size in chunks:
        piece = bits[pos:pos + size]
        pos += size
        words = np.zeros(len(piece) // 26 + 2, np.uint16)
        kinds = np.zeros_like(words, np.uint8)
        good = np.zeros_like(words, np.uint8)
        n = find_blocks(piece, PLACE, burst_table(2), state, words, kinds, good)
        found += list(zip(words[:n].tolist(), kinds[:n].tolist(), good[:n].tolist()))
    return found


def test_block_sync_finds_the_grid_corrects_short_bursts_and_ignores_chunking():
    rng = np.random.default_rng(2)
    groups = random_groups(rng, 30)
    bits = np.concatenate([rng.integers(0, 2, 37).astype(np.uint8)]
                          + [group_bits(g) for g in groups])
    # (group, place): bits wrong in that block, and whether a burst of at most two bits
    # (what differential decoding makes of one wrong bit) is corrected.
    wrong = {(10, 2): ([5], True), (12, 1): ([20, 21], True), (14, 3): ([0, 9, 21], False)}
    for (g, place), (where, _) in wrong.items():
        for k in where:
            bits[37 + 104 * g + 26 * place + k] ^= 1
        error = sum(1 << (25 - k) for k in where)
        assert bool(burst_table(2)[syndrome(np.int64(error))]) == wrong[(g, place)][1]
    whole = blocks_found(bits, [len(bits)])
    for chunks in ([1] * len(bits), rng.integers(1, 200, len(bits)).tolist()):
        assert blocks_found(bits, chunks) == whole
    # The grid is set by the first two blocks (A, B of group 0): every block from B on.
    expected = []
    for g, group in enumerate(groups):
        for place, word in enumerate(group):
            kind = (0, 1, 2, 4)[place]
            if group[1] >> 11 & 1 and place == 2:
                kind = 3  # version B: C′
            verdict = 1
            if (g, place) in wrong:
                where, corrected = wrong[(g, place)]
                verdict = 2 if corrected else 0
                if not corrected:  # the word as it came, at the place's own offset
                    word ^= sum(1 << (15 - k) for k in where if k < 16)
                    kind = (0, 1, 2, 4)[place]
            expected.append((word, kind, verdict))
    assert whole == expected[1:]


def test_block_sync_is_dropped_after_bad_blocks_and_found_again():
    rng = np.random.default_rng(3)
    groups = random_groups(rng, 12)
    bits = np.concatenate([group_bits(g) for g in groups[:4]]
                          + [rng.integers(0, 2, 26 * 6 + 11).astype(np.uint8)]  # noise
                          + [group_bits(g) for g in groups[4:]])
    found = blocks_found(bits, [len(bits)], max_bad=3)
    good = [w for w, _, ok in found if ok]
    # Groups 4… are found again after the noise: all their blocks but the one that set the grid.
    tail = [w for g in groups[4:] for w in g]
    assert good[-len(tail) + 1:] == tail[1:]
    assert sum(not ok for _, _, ok in found) >= 3


def biphase(bits):
    chips = np.empty(2 * len(bits), np.float32)
    chips[0::2] = 2.0 * bits - 1
    chips[1::2] = 1.0 - 2.0 * bits
    return chips


def test_biphase_finds_which_chips_pair_up_and_follows_a_slip():
    rng = np.random.default_rng(4)
    bits = rng.integers(0, 2, 2000).astype(np.uint8)
    noise = rng.standard_normal(4001).astype(np.float32) * 0.3
    chips = np.concatenate([[0.7], biphase(bits)]).astype(np.float32) + noise  # one chip early
    out = np.zeros(len(chips), np.uint8)
    n = biphase_bits(chips, 0.99, np.zeros(5), out)
    got = out[:n]
    # After a short search the bits come through in order, none lost and none added.
    tail = got[-1800:]
    assert np.array_equal(tail, bits[-1800:])
    # A slip of one chip in the middle is followed.
    slipped = np.concatenate([biphase(bits[:1000]), [0.5], biphase(bits[1000:])]).astype(np.float32)
    n = biphase_bits(slipped, 0.99, np.zeros(5), out)
    assert np.array_equal(out[n - 900:n], bits[-900:])


def test_callsigns_of_north_american_stations():
    assert callsign(0x4569) == "KUFX"
    assert callsign(0x1000) == "KAAA" and callsign(0x54A8) == "WAAA"
    assert callsign(0xC201) is None
    assert callsign(0x9950) == "KEX" and callsign(0x9964) == "KQV"  # three letters, a table
    assert callsign(0x9961) is None  # a code between them
    # Codes with zero nibbles are sent with an A in front (NRSC-4).
    assert callsign(0xA4AB) == callsign(0x40AB) == "KSLF"
    assert callsign(0xAF45) == callsign(0x4500) == "KUBW"
    assert callsign(0xAFA4) == callsign(0x4000) == "KSEQ"
    assert callsign(0xB001) == callsign(0xB301) == "NPR-1" and callsign(0xB0FF) is None


def spy_groups(path):
    for line in path.read_text().splitlines():
        fields = line.split()
        if line.startswith("<") or len(fields) < 4:
            continue
        yield [None if w == "----" else int(w, 16) for w in fields[:4]]


def test_groups_of_a_real_station_read_as_redsea_reads_them(real_data):
    """KUFX (KFOX, 98.5 MHz, San Jose), 1124 groups logged by RDS Spy: every line redsea
    wrote (aligned on the group types) has the same PI, call letters, group, TP, programme
    type, TA, music flag, decoder identification, linkage and country (1A), clock time, open
    data applications and RadioText+ items and tags, and neither of us finds a language, a
    programme item or another network (KUFX sends none); the programme service names and the
    radiotext redsea completed are ours too."""
    parser = GroupParser(rbds=True)
    groups = list(spy_groups(real_data / SPY))
    ours = [parser.feed(g) or {} for g in groups]
    theirs = [json.loads(line) for line in (real_data / REDSEA).read_text().splitlines()]
    match = difflib.SequenceMatcher(None, [o.get("group") for o in ours],
                                    [t.get("group") for t in theirs], autojunk=False)
    compared = 0
    for i, j, size in match.get_matching_blocks():
        for g, o, t in zip(groups[i:i + size], ours[i:i + size], theirs[j:j + size]):
            for key in ("pi", "callsign", "group", "tp", "prog_type", "ta", "is_music",
                        "clock_time", "language", "prog_item_number", "other_network"):
                assert o.get(key) == t.get(key), (key, o, t)
            if g[0] is not None:  # one group without block A redsea leaves out: the
                assert o.get("di") == t.get("di"), (o, t)  # next 0A pairs with ours
            for key in ("has_linkage", "country"):  # redsea wants block D too; we read C
                assert o.get(key) == t.get(key) or g[3] is None, (key, o, t)
            if "open_data_app" in t:
                assert o["open_data_app"]["oda_group"] == t["open_data_app"]["oda_group"]
                assert o["open_data_app"]["app_name"] == t["open_data_app"]["app_name"]
            rtplus, theirs_plus = o.get("radiotext_plus", {}), t.get("radiotext_plus", {})
            for key in ("item_running", "item_toggle"):
                assert rtplus.get(key) == theirs_plus.get(key), (o, t)
            if "tags" in theirs_plus:
                assert rtplus["tags"] == theirs_plus["tags"]
            compared += 1
    assert compared == len(theirs) == 1113  # every line redsea wrote
    # RT+ names the song playing. redsea takes a radiotext only when its segments came in
    # order; we take it once every segment has come, so we name the song before this one too,
    # and the station's slogan, which it tags while no item runs.
    tagged = collections.defaultdict(set)
    for o in ours:
        plus = o.get("radiotext_plus", {})
        if "tags" in plus:
            tagged[plus["item_running"]].add(tuple((t["content-type"], t["data"])
                                                   for t in plus["tags"]))
    assert tagged[True] == {(("item.title", "Blurry"), ("item.artist", "Puddle Of Mudd")),
                            (("item.title", "Blurry"),),
                            (("item.title", "Another One Bites The Dust"),
                             ("item.artist", "Queen"))}
    assert tagged[False] == {(("item.title", "South Bay's Classic Rock KFOX"),),
                             (("item.title", "South Bay's Classic Rock KFOX"),
                              ("item.artist", "985KFOX"))}
    apps = {o["open_data_app"]["app_id"]: o["open_data_app"]["oda_group"] for o in ours
            if "open_data_app" in o}
    assert apps == {"4BD7": "13A", "C3B0": "11A", "CD46": "8A"}
    counts = collections.Counter(o.get("group") for o in ours)
    assert counts["0A"] == 377 and counts["2A"] == 225 and counts["4A"] == 1
    ps = {o["ps"] for o in ours if "ps" in o}
    assert {"KFOX    ", "Queen   ", "Another ", "One     ", "Bites   ", "The Dust", "Puddle  ",
            "Of Mudd ", "Blurry  "} <= ps
    texts = {o["radiotext"] for o in ours if "radiotext" in o}
    blurry = "985KFOX / Puddle Of Mudd / Blurry"
    assert {t["radiotext"] for t in theirs if "radiotext" in t} == {blurry}
    assert blurry in texts
    assert [o["clock_time"] for o in ours if "clock_time" in o] == ["2020-08-19T20:46:00-07:00"]


def test_a_station_made_into_groups_reads_back():
    parser = GroupParser()
    groups = station_groups(0x5DF0, "SDRFLOW", "Hello, radio", pty=10)
    out = [o for o in map(parser.feed, groups) if o]  # the first waits for the PI's repeat
    assert {o["ps"] for o in out if "ps" in o} == {"SDRFLOW "}
    assert [o["radiotext"] for o in out if "radiotext" in o] == ["Hello, radio"]
    assert {o["prog_type"] for o in out} == {"Pop music"} and {o["pi"] for o in out} == {"0x5DF0"}
    flags = {k: v for o in out if "di" in o for k, v in o["di"].items()}
    assert flags == {"dynamic_pty": False, "compressed": False, "artificial_head": False,
                     "stereo": False}
    stereo = [o for o in map(GroupParser().feed, station_groups(0x5DF0, "S", "x", stereo=True))
              if o and "di" in o]
    assert {k: v for o in stereo for k, v in o["di"].items()}["stereo"] is True


def test_text_in_rds_characters_reads_back_accents_and_signs_included():
    # RDS has its own character set: é is 0x82 and € 0xA9, where Latin-1 has others.
    groups = station_groups(0x5DF0, "Énergie", "Café crème à 5 € ½ Straße", pty=10)
    sent = {w >> k & 0xFF for g in groups if g[1] >> 12 == 2 for w in g[2:] for k in (0, 8)}
    assert {0x82, 0xA9, 0x8D} <= sent  # é, € and ß as RDS codes them
    out = [o for o in map(GroupParser().feed, groups * 2) if o]
    assert {o["ps"] for o in out if "ps" in o} == {"Énergie "}
    assert {o["radiotext"] for o in out if "radiotext" in o} == {"Café crème à 5 € ½ Straße"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.one_of(st.none(), st.integers(0, 0xFFFF)),
                                   min_size=4, max_size=4), st.booleans()), max_size=60),
       st.booleans())
def test_any_groups_are_read_without_error_into_rds_characters(groups, rbds):
    """Whatever the blocks (garbage, lost ones, any group type), the reader never fails, and
    what it says is hex PIs and text in RDS's character set."""
    parser = GroupParser(rbds)
    for blocks, c_prime in groups:
        out = parser.feed(blocks, c_prime)
        if out is None:
            continue
        assert re.fullmatch(r"0x[0-9A-F]{4}", out["pi"])
        tags = out.get("radiotext_plus", {}).get("tags", [])
        for text in [out.get(k, "") for k in ("ps", "radiotext", "pty_name")] + \
                [t["data"] for t in tags]:
            assert set(text) <= set(CHARSET), text
        json.dumps(out)  # every field is plain data


def test_radiotext_plus_tags_of_a_station_read_back_once_the_radiotext_is_whole():
    text = "985KFOX / Puddle Of Mudd / Blurry"
    tags = rtplus_tags(text, {"item.title": "Blurry", "item.artist": "Puddle Of Mudd"})
    assert tags == [(1, 27, 6), (4, 10, 14)]
    parser = GroupParser()
    cycle = station_groups(0x4569, "KFOX", text, tags=tags)
    first = [parser.feed(g) for g in cycle]
    assert first[-2]["open_data_app"] == {"oda_group": "12A", "app_name": "RadioText+ (RT+)",
                                          "app_id": "4BD7"}
    assert first[-1]["radiotext_plus"] == {"item_running": True, "item_toggle": 0, "tags": [
        {"content-type": "item.title", "data": "Blurry"},
        {"content-type": "item.artist", "data": "Puddle Of Mudd"}]}
    parser = GroupParser()  # RT+ before the radiotext is whole: the item, no tags yet
    parser.feed(cycle[0])  # the PI, to be confirmed by the next group
    parser.feed(cycle[-2])
    assert parser.feed(cycle[-1])["radiotext_plus"] == {"item_running": True, "item_toggle": 0}


def test_alternative_frequencies_of_method_a_and_b_lists():
    parser = GroupParser()
    cycle = station_groups(0x5DF0, "SDRFLOW", "x", af=[88100, 101300, 107900])
    lists = [o["alt_frequencies_a"] for o in map(parser.feed, cycle * 2)
             if o and "alt_frequencies_a" in o]
    assert lists and all(af == [88100, 101300, 107900] for af in lists)

    def zero_a(*codes):  # 0A groups carrying these AF codes, two a group
        return [[0x5DF0, 0x0008, codes[i] << 8 | codes[i + 1], 0x2020]
                for i in range(0, len(codes), 2)]

    parser = GroupParser()
    parser.feed(zero_a(205, 205)[0])  # its PI, confirmed by the next group
    # Method B: 89.0 MHz tuned; 89.1 the same programme, 88.5 a regional variant (larger first).
    out = [parser.feed(g) for g in zero_a(229, 15, 15, 16, 15, 10, 205, 205)]
    assert out[2]["alt_frequencies_b"] == {"tuned_frequency": 89000, "same_programme": [89100],
                                           "regional_variants": [88500]}
    # Method A, with a medium wave frequency (250: one follows; 16 is 531 kHz), then a list of
    # one, then a list cut short by a code out of place (210): what follows it is no list.
    out = [parser.feed(g) for g in zero_a(226, 250, 16, 1, 225, 60, 226, 1, 210, 205, 2, 3)]
    assert [o.get("alt_frequencies_a") for o in out] == [None, [531, 87600], [93500], None,
                                                         None, None]


def test_programme_type_name_comes_in_two_halves_and_a_flipped_flag_starts_anew():
    parser = GroupParser()
    words = lambda text: [ord(text[i]) << 8 | ord(text[i + 1]) for i in (0, 2)]  # noqa: E731
    groups = [[0x5DF0, 0xA000, *words("Clas")], [0x5DF0, 0xA001, *words("sic ")],
              [0x5DF0, 0xA010, *words("Jazz")], [0x5DF0, 0xA011, *words("    ")]]
    out = [parser.feed(g) for g in [groups[0]] + groups]
    assert [o.get("pty_name") for o in out[1:]] == [None, "Classic ", None, "Jazz    "]


def test_slow_labelling_names_the_country_the_tmc_provider_and_a_warning():
    parser = GroupParser()
    b = 0x1000  # group 1A
    groups = [[0xC201, b, 0x00E1, 0], [0xC201, b, 0x80E1, 0], [0xC201, b, 0x0055, 0],
              [0xC201, b, 0x1123, 0], [0xC201, b, 0x7ABC, 0]]
    out = [parser.feed(g) for g in groups][1:]  # the first waits for the PI's repeat
    assert out[0] == {**out[0], "has_linkage": True, "country": "gb"}  # ECC E1, PI C…: UK
    assert out[1]["country"] == "--"  # an ECC nobody has
    assert out[2]["tmc_id"] == 0x123 and out[3]["ews"] == 0xABC and not out[3]["has_linkage"]


def test_group_1_gives_the_language_and_when_the_programme_item_started():
    parser = GroupParser()
    pin = 28 << 11 | 14 << 6 | 30  # the 28th, 14:30
    groups = [[0xD201, 0x1000, 0x3009, pin], [0xD201, 0x1000, 0x3009, pin],
              [0xD201, 0x1800, 0xD201, pin], [0xD201, 0x1000, 0x3045, 0],
              [0xD201, 0x1000, 0x3009, 0 << 11 | 14 << 6 | 30]]
    out = [parser.feed(g) for g in groups][1:]
    assert out[0]["language"] == "English" and out[0]["prog_item_number"] == pin
    assert out[0]["prog_item_started"] == {"day": 28, "time": "14:30"}
    assert out[1]["prog_item_started"] == {"day": 28, "time": "14:30"}  # 1B: the item only
    assert out[2]["language"] == "Zulu" and "prog_item_number" not in out[2]  # 0: no item
    assert "prog_item_number" not in out[3]  # day 0 is no date


def test_other_networks_of_group_14_build_up_their_name_frequencies_and_type():
    parser = GroupParser()
    on = 0x5302
    word = lambda text: ord(text[0]) << 8 | ord(text[1])  # noqa: E731

    def eon(variant, c, tp=1):
        return [0x5301, 0xE000 | tp << 4 | variant, c, on]

    groups = [eon(15, 0xBEEF), *[eon(v, word("JAZZ 917"[2 * v:2 * v + 2])) for v in range(4)],
              eon(4, 226 << 8 | 42), eon(4, 47 << 8 | 205), eon(7, 10 << 8 | 42),
              eon(12, 0x8123), eon(13, 24 << 11 | 1), eon(14, 3 << 11 | 8 << 6 | 5),
              [0x5301, 0xE808, None, on]]
    parser.feed(groups[0])  # its PI, confirmed by the next group
    out = [parser.feed(g)["other_network"] for g in groups]
    assert all(o["pi"] == "0x5302" for o in out) and out[1]["tp"]
    assert out[0]["broadcaster_data"] == "BEEF"
    assert [o.get("ps") for o in out[1:5]] == [None, None, None, "JAZZ 917"]
    assert out[6]["alt_frequencies"] == [91700, 92200] and "alt_frequencies" not in out[5]
    assert out[7]["kilohertz"] == 91700
    assert (out[8]["has_linkage"], out[8]["linkage_set"]) == (True, 0x123)
    assert (out[9]["prog_type"], out[9]["ta"]) == ("Jazz music", True)
    assert out[10]["prog_item_started"] == {"day": 3, "time": "08:05"}
    assert out[11] == {"pi": "0x5302", "tp": False, "ta": True}  # 14B: its announcement only


@pytest.mark.parametrize("tags, message", [
    ({"item.title": "Nope"}, "is not a part of the radiotext"),
    ({"item.title": 3}, "is not a part of the radiotext"),
    ({"item.colour": "KFOX"}, "not a RadioText\\+ content type"),
    ({"item.title": "KFOX", "item.artist": "Puddle", "item.album": "Blurry"}, "two tags"),
])
def test_bad_radiotext_plus_tags_are_refused(tags, message):
    with pytest.raises(ValueError, match=message):
        rtplus_tags("985KFOX / Puddle Of Mudd / Blurry", tags)
    with pytest.raises(ValueError, match="FMStationSource: rds tags: "):
        FMStationSource(rds={"radiotext": "985KFOX / Puddle Of Mudd / Blurry", "tags": tags})


def receive(cnr_db, seconds=8.0, seed=1, rds=None):
    fg = Flowgraph(chunk=16384)
    decoder, sink = RDSDecoder(), MessageSink()
    fg.connect(FMStationSource(rate=2.4e6, seconds=seconds, cnr_db=cnr_db, seed=seed,
                               rds=rds or {}),
               LowpassFilter(100e3, transition=40e3, decimation=10), FMDemod(75e3), RDSDemod(),
               decoder)
    fg.connect((decoder, "out"), (sink, "in"))
    fg.run()
    return decoder.counters(), sink.messages


def test_another_network_the_station_announces_is_named_through_the_air():
    counters, messages = receive(30, seconds=6, rds={"others": [(0x5301, "CLASSIC")]})
    others = [m["other_network"] for m in messages if "other_network" in m]
    assert others and all(o["pi"] == "0x5301" for o in others)
    assert {o["ps"] for o in others if "ps" in o} == {"CLASSIC "}
    assert counters["blocks_bad"] == 0


def test_the_simulated_station_is_received_whole_at_30_db():
    """8 s of the station: 1187.5 bits a second are 365 blocks; all but the first one or two
    (the grid is set on them) come through, none bad, and so do its name and radiotext."""
    counts, messages = receive(30.0, rds={"ps": "KSDR", "radiotext": "Test text"})
    assert counts["blocks"] >= 360 and counts["blocks_bad"] == 0
    assert {m["ps"] for m in messages if "ps" in m} == {"KSDR    "}
    assert {m["radiotext"] for m in messages if "radiotext" in m} == {"Test text"}
    assert {m["pi"] for m in messages} == {"0x5DF0"}


def test_block_errors_grow_as_the_carrier_weakens():
    """Block error rate against carrier-to-noise ratio (in a 200 kHz channel): none lost at
    20 dB (a few corrected), about a fifth at 15 dB (the FM threshold is near; the subcarrier
    sits where the demodulator's noise is strongest)."""
    good, _ = receive(20.0)
    assert good["blocks"] >= 360 and good["blocks_bad"] / good["blocks"] < 0.01
    assert good["blocks_corrected"] > 0
    poor, _ = receive(15.0)
    assert poor["blocks"] >= 330 and 0.01 < poor["blocks_bad"] / poor["blocks"] < 0.35


def test_a_real_multiplex_into_the_channel_filter_gives_its_complex_band():
    """A float input is filtered as the complex stream x + 0j would be."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal(24000).astype(np.float32)
    outs = []
    for data in (x, x.astype(np.complex64)):
        fg, sink = Flowgraph(chunk=1000), VectorSink()
        fg.connect(VectorSource(data, rate=240e3), FreqXlatingFilter(57e3, cutoff=2.4e3,
                                                                     decimation=24), sink)
        fg.run()
        outs.append(sink.data)
    assert len(outs[0]) == 1000
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("rds, message", [
    ({"pi": 0x10000}, "pi is 0–0xFFFF"),
    ({"colour": 1}, "rds takes"),
    ({"ps": "~"}, "RDS's character set has no '~'"),
    ({"radiotext": 5}, "rds ps and radiotext"),
    ({"deviation": 0}, "deviation must be in"),
    ({"tags": "Blurry"}, "rds tags are a dict"),
    ({"af": 88100}, "rds af is a list of frequencies in kHz"),
    ({"af": [88150]}, "87600–107900 kHz in steps of 100 kHz"),
    ({"others": [0x5301]}, "rds others is a list of \\(PI, PS name\\)"),
    ({"others": [(0x10000, "X")]}, "another network's PI is 1–0xFFFF"),
    ({"others": [(0x5301, "~")]}, "RDS's character set has no '~'"),
])
def test_bad_rds_settings_are_refused_where_they_are_made(rds, message):
    with pytest.raises(ValueError, match=message):
        FMStationSource(rds=rds)


def test_a_pi_that_comes_once_is_left_out_and_one_that_repeats_is_the_new_station():
    parser = GroupParser()
    station = station_groups(0x5DF0, "ONE", "x")
    other = station_groups(0x1234, "TWO", "y")
    assert parser.feed(station[0]) is None  # the first PI too waits for the next group
    assert parser.feed([None, station[1][1], None, None]) is None  # a group without a PI
    assert parser.feed(station[1])["pi"] == "0x5DF0"
    assert parser.feed(other[1]) is None  # once: a block corrected wrongly, say
    assert parser.feed(station[2])["pi"] == "0x5DF0"
    assert parser.feed(other[0]) is None and parser.feed(other[1])["pi"] == "0x1234"  # retuned


@pytest.mark.parametrize("seed", range(6))
def test_noise_names_no_station(seed):
    """Two minutes of random bits: now and then two blocks seem to match by chance and set a
    grid, and a garbage block A is "corrected" into a PI; it never comes twice in a row, so
    nothing is reported (before the first PI needed a second group, five of these six runs
    named a station)."""
    bits = np.random.default_rng(seed).integers(0, 2, 1187 * 120).astype(np.uint8)
    fg, decoder, sink = Flowgraph(chunk=4096), RDSDecoder(), MessageSink()
    fg.connect(VectorSource(bits, rate=1187.5), decoder)
    fg.connect((decoder, "out"), (sink, "in"))
    fg.run()
    assert decoder.counters()["blocks"] > 0 and sink.messages == []


@pytest.mark.parametrize("ppm", [-200, 200])
def test_a_dongles_clock_error_costs_no_block(ppm):
    """A dongle's clock off by ±200 ppm moves the subcarrier by ±11 Hz and the chip rate by
    ±0.5 Hz: the loops follow, and at 20 dB CNR no block is lost."""
    fg, sink = Flowgraph(chunk=16384), VectorSink()
    fg.connect(FMStationSource(rate=2.4e6, seconds=8, cnr_db=20.0, seed=1, rds={}),
               LowpassFilter(100e3, transition=40e3, decimation=10), FMDemod(75e3), sink)
    fg.run()
    decoder = RDSDecoder()
    fg = Flowgraph(chunk=16384)  # the samples as a dongle with that clock error labels them
    fg.connect(VectorSource(sink.data, rate=240e3 * (1 - ppm * 1e-6)), RDSDemod(), decoder)
    fg.run()
    counts = decoder.counters()
    assert counts["blocks"] >= 360 and counts["blocks_bad"] == 0
