"""Actor aliases, colours and the --actors configuration file."""

from __future__ import annotations

import json
import re

import pytest

from mapper.actors import DEFAULT_ACTORS, OKABE_ITO, Actor, ActorConfigError, Actors, normalise


@pytest.mark.parametrize(
    "text,expected",
    [
        ("ANDSF", "Government"), ("Afghan forces", "Government"), ("government forces", "Government"),
        ("Security Forces", "Government"), ("commandos", "Government"), ("Defence Ministry", "Government"),
        ("Afghan Defense Ministry", "Government"), ("Military Forces of Afghanistan (2014-)", "Government"),
        ("Military Forces of Afghanistan (2014-) Special Forces", "Government"),
        ("Taliban", "Taliban"), ("insurgents", "Taliban"), ("Islamic Emirate", "Taliban"),
        ("Taliban spokesman", "Taliban"), ("TALEBAN", "Taliban"),
        # After August 2021 ACLED names the Taliban's forces this way: the longer phrase wins.
        ("Police Forces of Afghanistan (2021-) General Directorate of Intelligence", "Taliban"),
        ("Military Forces of Afghanistan (2021-)", "Taliban"),
    ],
)
def test_default_aliases(text, expected):
    assert Actors.default().match(text).name == expected


@pytest.mark.parametrize("text", ["Taliban and/or Islamic State (Afghanistan)", "MP Abdulbasir Osmani",
                                  "Khaama Press", ""])
def test_ambiguous_or_unknown_text_matches_nothing(text):
    assert Actors.default().match(text) is None


def test_default_palette_is_okabe_ito_and_distinct():
    colours = [a.colour for a in DEFAULT_ACTORS]
    assert set(colours) <= set(OKABE_ITO.values())
    assert len(set(colours)) == len(colours)


def test_unknown_actors_get_distinct_deterministic_colours():
    a, b = Actors.default(), Actors.default()
    names = [f"Front {i}" for i in range(30)]
    ca = [a.resolve(n).colour for n in names]
    cb = [b.resolve(n).colour for n in names]
    assert ca == cb
    known = {x.colour for x in DEFAULT_ACTORS}
    assert len(set(ca)) == 30 and not (set(ca) & known)
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c, re.I) for c in ca)
    # Same text again: same actor, no new entry.
    n = len(a)
    assert a.resolve("front 3").colour == ca[3] and len(a) == n
    assert a.resolve("Front 3").configured is False
    assert a.resolve("   ") is None


def test_load_json_replaces_defaults(tmp_path):
    p = tmp_path / "actors.json"
    p.write_text(json.dumps([{"name": "Government", "colour": "#112233", "aliases": ["Kabul"]},
                             {"name": "Taliban", "aliases": ["IEA"]}]))
    actors = Actors.load(p)
    assert actors.match("Kabul").colour == "#112233"
    assert actors.match("IEA").colour == "#D55E00"  # default colour kept for a known name
    assert actors.match("ANDSF") is None  # defaults replaced


def test_load_json_extends_defaults(tmp_path):
    p = tmp_path / "actors.json"
    p.write_text(json.dumps({"replace_defaults": False,
                             "actors": [{"name": "NRF", "colour": "#009e73", "aliases": ["National Resistance Front"]}]}))
    actors = Actors.load(p)
    assert actors.match("National Resistance Front").name == "NRF"
    assert actors.match("ANDSF").name == "Government"


def test_load_csv(tmp_path):
    p = tmp_path / "actors.csv"
    p.write_text("name,colour,aliases\nGovernment,#0072B2,ANDSF; Afghan forces\nTaliban,#D55E00,insurgents\n")
    actors = Actors.load(p)
    assert actors.match("afghan forces").name == "Government"
    assert [a.name for a in actors] == ["Government", "Taliban"]


@pytest.mark.parametrize(
    "content,message",
    [("[{\"name\": \"X\", \"colour\": \"red\"}]", "not a #RRGGBB"), ("[{\"colour\": \"#000000\"}]", "`name` is empty"),
     ("{not json", "not valid JSON"), ("{\"actors\": 3}", "expected a list")],
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
    with pytest.raises(Exception):
        Actor("X", "#000000").name = "Y"


def test_normalise():
    assert normalise("Qal‘ah-ye  Now") == "qal ah ye now"
