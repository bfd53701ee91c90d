"""Actor registry: matching with a country context, sides, acronyms, claimants, colours, --actors files."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from mapper.actors import (
    GENERIC_GOVERNMENT,
    KINDS,
    OKABE_ITO,
    PALETTE,
    Actor,
    ActorConfigError,
    Actors,
    Claimant,
    normalise,
    split_claimant,
    state_name,
)


@pytest.fixture(scope="module")
def reg():
    return Actors.default()


@pytest.mark.parametrize(
    "text,country,expected",
    [
        # Afghan reporting (the seeds' wording)
        ("ANDSF", "", "Government of Afghanistan"), ("Afghan forces", "", "Government of Afghanistan"),
        ("government forces", "AF", "Government of Afghanistan"), ("Security Forces", "AF", "Government of Afghanistan"),
        ("Defence Ministry", "AF", "Government of Afghanistan"), ("Afghan Defense Ministry", "", "Government of Afghanistan"),
        ("Military Forces of Afghanistan (2014-)", "", "Government of Afghanistan"),
        ("Taliban", "", "Taliban"), ("Islamic Emirate", "", "Taliban"), ("Taliban spokesman", "AF", "Taliban"),
        ("TALEBAN", "", "Taliban"),
        # After August 2021 ACLED names the Taliban's forces this way: the longer phrase wins.
        ("Police Forces of Afghanistan (2021-) General Directorate of Intelligence", "", "Taliban"),
        ("Military Forces of Afghanistan (2021-)", "", "Taliban"),
        # Other wars: generic wording takes the context country, nationality adjectives their own.
        ("the army", "SD", "Government of Sudan"), ("Defence Ministry", "UA", "Government of Ukraine"),
        ("Russian Defence Ministry", "UA", "Government of Russia"), ("Russian troops", "UA", "Government of Russia"),
        ("the Iraqi army", "SY", "Government of Iraq"), ("Russian-installed governor", "UA", "Government of Russia"),
        ("the Russians", "UA", "Government of Russia"), ("Ukrainian President", "", "Government of Ukraine"),
        ("Israeli military", "PS", "Government of Israel"), ("police", "NG", "Government of Nigeria"),
        # Capitals and seats of power as metonyms.
        ("Kyiv", "", "Government of Ukraine"), ("Kiev", "RU", "Government of Ukraine"),
        ("officials in Moscow", "UA", "Government of Russia"), ("the Kremlin", "", "Government of Russia"),
        # Without a context country, generic wording stays generic.
        ("government forces", "", GENERIC_GOVERNMENT), ("Government", "", GENERIC_GOVERNMENT),
        ("Government", "ML", "Government of Mali"),
    ],
)
def test_match_with_context(reg, text, country, expected):
    found = reg.match(text, country=country)
    assert found is not None and found.name == expected


@pytest.mark.parametrize("text,country", [
    ("Taliban and/or Islamic State (Afghanistan)", "AF"),  # two actors: never a silent pick
    ("MP Abdulbasir Osmani", "AF"), ("Khaama Press", "AF"), ("", "UA"),
    ("Russian-backed separatists", "UA"), ("Moscow-backed separatists", "UA"),  # side of Russia, not its state
    ("pro-Russian militia", "UA"), ("Kyiv Independent", ""),  # an outlet named after a capital
    ("the Syrian town", "SY"), ("Syrian Observatory for Human Rights", "SY"),
    ("insurgents", "AF"), ("militants", "SO"),  # generic armed-group words are resolved by the extractor
])
def test_no_match(reg, text, country):
    assert reg.match(text, country=country) is None


def test_state_actors_for_every_country(reg):
    assert reg.state("ua").name == "Government of Ukraine"
    assert reg.state("CD").name == "Government of the Democratic Republic of the Congo"
    assert reg.state("ZZ") is None
    ru = reg.state("RU")
    assert ru.kind == "state" and ru.country == "RU" and ru.is_state()
    assert ru.is_foreign("UA") and not ru.is_foreign("RU") and not ru.is_foreign("")
    assert state_name("SY") == "Government of Syria" and state_name("??") == ""


def test_qualify_never_leaves_government_bare_when_country_known(reg):
    assert reg.qualify("Government", "UA") == "Government of Ukraine"
    assert reg.qualify("government forces", "MM") == "Government of Myanmar"
    assert reg.qualify("Government", "") == "Government"
    assert reg.qualify("Taliban", "AF") == "Taliban"  # not a state label: unchanged
    assert reg.qualify("Some Brigade", "UA") == "Some Brigade"


def test_table_rows_have_kinds_countries_and_acronyms(reg):
    taliban = reg.match("Taliban")
    assert taliban.kind == "non_state" and taliban.country == "AF"
    assert all(a.kind in KINDS + ("",) for a in reg.all())
    assert len({a.name for a in reg.all()}) == len(reg.all())  # one entry per actor


def test_learn_acronym_for_one_document(reg):
    doc = reg.copy()
    unknown = doc.learn("KLF", "Kivu Liberation Front")
    assert unknown.name == "Kivu Liberation Front" and unknown.configured is False
    assert doc.match("KLF fighters").name == "Kivu Liberation Front"
    assert reg.match("KLF fighters") is None  # the shared registry is untouched
    known = doc.learn("AfForces", "Afghan forces")
    assert known.name == "Government of Afghanistan"
    assert doc.match("AfForces").name == "Government of Afghanistan"


def test_acronyms_match_only_in_capitals(reg):
    doc = reg.copy()
    doc.learn("ABC", "Army of the Blue Coast")
    assert doc.match("ABC units").name == "Army of the Blue Coast"
    assert doc.match("abc units") is None


def test_resolve_adds_unknown_actors_with_distinct_deterministic_colours():
    a, b = Actors.default(), Actors.default()
    names = [f"Front {i}" for i in range(30)]
    ca = [a.resolve(n).colour for n in names]
    cb = [b.resolve(n).colour for n in names]
    assert ca == cb
    assert len(set(ca)) == 30
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in ca)
    assert ca[:len(PALETTE)] == [c.upper() for c in PALETTE]  # palette first, in order
    n = len(a)
    assert a.resolve("front 3").colour == ca[3] and len(a) == n  # same text: same actor, no new entry
    assert a.resolve("Front 3").configured is False
    assert a.resolve("   ") is None


def test_table_colours_kept_when_free_and_legend_in_first_use_order():
    a = Actors.default()
    assert a.resolve("Taliban").colour == OKABE_ITO["vermillion"]
    assert a.resolve("ANDSF").colour == OKABE_ITO["blue"]
    a.resolve("Russian troops", country="UA")
    assert [x.name for x in a] == ["Taliban", "Government of Afghanistan", "Government of Russia"]
    assert len({x.colour for x in a}) == 3
    assert a.colour("Government of Russia") == a.resolve("Russian troops", country="UA").colour
    assert a.colour("Nobody") == "#9E9E9E"


def test_other_war_gets_palette_colours_not_seed_colours():
    a = Actors.default()
    ru = a.resolve("Russian forces", country="UA")
    ua = a.resolve("Ukrainian army", country="UA")
    assert (ru.colour, ua.colour) == (PALETTE[0].upper(), PALETTE[1].upper())


@pytest.mark.parametrize("text,org,channel", [
    ("Defence Ministry on Facebook", "Defence Ministry", "Facebook"),
    ("Defence Ministry", "Defence Ministry", ""),
    ("the ministry's Telegram channel", "the ministry", "Telegram channel"),
    ("Ukrainian General Staff (via Facebook)", "Ukrainian General Staff", "Facebook"),
    ("Zabihullah Mujahid on Twitter", "Zabihullah Mujahid", "Twitter"),
    ("the army in a statement", "the army", "statement"),
    ("Facebook", "Facebook", ""),  # nothing left for an organisation: keep the text
    ("", "", ""),
])
def test_split_claimant(text, org, channel):
    assert split_claimant(text) == Claimant(org, channel)


def test_load_json_replaces_defaults(tmp_path):
    p = tmp_path / "actors.json"
    p.write_text(json.dumps([{"name": "Government", "colour": "#112233", "aliases": ["Kabul authorities"]},
                             {"name": "Taliban", "aliases": ["IEA"]}]))
    actors = Actors.load(p)
    assert actors.resolve("Kabul authorities").colour == "#112233"
    assert actors.match("IEA").name == "Taliban"
    assert actors.match("ANDSF") is None  # default table replaced
    assert actors.match("Russian troops").name == "Government of Russia"  # generated states stay


def test_load_json_extends_defaults(tmp_path):
    p = tmp_path / "actors.json"
    p.write_text(json.dumps({"replace_defaults": False, "actors": [
        {"name": "NRF", "colour": "#009e73", "aliases": ["National Resistance Front"], "kind": "non_state",
         "country": "AF"}]}))
    actors = Actors.load(p)
    assert actors.match("National Resistance Front").name == "NRF"
    assert actors.match("ANDSF").name == "Government of Afghanistan"


def test_load_csv_old_and_new_columns(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("name,colour,aliases\nGovernment,#0072B2,ANDSF; Afghan forces\nTaliban,#D55E00,Taleban\n")
    actors = Actors.load(old)
    assert actors.match("Taleban").name == "Taliban"
    new = tmp_path / "new.csv"
    new.write_text("name,kind,country,side,aliases,acronyms,colour,source\n"
                   "Blue Coast Army,non_state,CD,,Armee de la Cote Bleue,BCA,,own notes\n"
                   "Coast Guards,militia,CD,Government of the Democratic Republic of the Congo,,,,own notes\n")
    actors = Actors.load(new)
    bca = actors.match("BCA")
    assert (bca.name, bca.kind, bca.country) == ("Blue Coast Army", "non_state", "CD")
    assert actors.match("Coast Guards").side_name == "Government of the Democratic Republic of the Congo"


@pytest.mark.parametrize(
    "content,message",
    [("[{\"name\": \"X\", \"colour\": \"red\"}]", "not a #RRGGBB"), ("[{\"colour\": \"#000000\"}]", "`name` is empty"),
     ("{not json", "not valid JSON"), ("{\"actors\": 3}", "expected a list"),
     ("[{\"name\": \"X\", \"kind\": \"army\"}]", "kind 'army' is not one of"),
     ("[{\"name\": \"X\", \"country\": \"Ukraine\"}]", "not an ISO 3166-1 alpha-2 code")],
)
def test_bad_config_messages(tmp_path, content, message):
    p = tmp_path / "actors.json"
    p.write_text(content)
    with pytest.raises(ActorConfigError, match=message):
        Actors.load(p)


def test_missing_file(tmp_path):
    with pytest.raises(ActorConfigError, match="cannot read"):
        Actors.load(tmp_path / "nope.json")


def test_actor_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Actor("X", "#000000").name = "Y"


def test_normalise():
    assert normalise("Qal‘ah-ye  Now") == "qal ah ye now"


def test_acronyms_are_case_sensitive_and_context_aware(reg):
    assert reg.match("IS") is not None and reg.match("is") is None
    assert reg.match("French Armed Forces").name == "Government of France"  # not the French Southern Lands
    assert reg.match("AA fighters", country="MM").name == reg.get("AA").name
    assert reg.match("according to AA", country="TR") is None  # another country's group: not in this context


def test_a_configured_government_actor_keeps_generic_wording(tmp_path):
    p = tmp_path / "actors.json"
    p.write_text(json.dumps([{"name": "Government", "colour": "#112233", "aliases": ["ANDSF"]}]))
    actors = Actors.load(p)
    assert actors.match("Defence Ministry", country="AF").name == "Government"
    assert actors.resolve("Government", country="AF").colour == "#112233"
    assert actors.match("Russian troops", country="UA").name == "Government of Russia"  # a named state stays


def test_split_claimant_parenthesised_channel():
    assert split_claimant("Defence Ministry (Facebook)") == Claimant("Defence Ministry", "Facebook")
