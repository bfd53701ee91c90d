"""Tests for mapper.status: vocabulary, synonyms, dataset event types."""

from __future__ import annotations

import pytest

from mapper.errors import MapperError, UnknownStatus
from mapper.model import STATUSES
from mapper.status import SYNONYMS, acled_status, government_actor, normalize_status, ucdp_status


@pytest.mark.parametrize("word", STATUSES)
def test_vocabulary_is_exact(word):
    assert normalize_status(word) == (word, "exact")
    assert normalize_status(word.upper().replace("_", " ")) == (word, "exact")
    assert normalize_status(f"  {word.replace('_', '-')} ") == (word, "exact")


@pytest.mark.parametrize(
    "word, status",
    [
        ("captured", "controlled"),
        ("Seized", "controlled"),
        ("overran", "controlled"),
        ("fell", "controlled"),
        ("retook", "controlled"),
        ("recaptured", "controlled"),
        ("took control", "controlled"),
        ("taken", "controlled"),
        ("Taken over", "controlled"),
        ("clashes", "contested"),
        ("fighting", "contested"),
        ("battle", "contested"),
        ("under attack", "contested"),
        ("Under attack?", "contested"),
        ("besieged", "contested"),
        ("denied", "not_controlled"),
        ("denies", "not_controlled"),
        ("not captured", "not_controlled"),
        ("has not fallen", "not_controlled"),
        ("never seized", "not_controlled"),
        ("attack", "attacked"),
        ("airstrike", "attacked"),
        ("air strike", "attacked"),
        ("shelling", "attacked"),
        ("missile strike", "attacked"),
        ("withdrawing", "not_controlled"),
        ("pulled out", "not_controlled"),
        ("liberation", "controlled"),
    ],
)
def test_synonyms(word, status):
    assert normalize_status(word) == (status, "synonym")


def test_every_synonym_maps_into_the_vocabulary():
    assert set(SYNONYMS.values()) <= set(STATUSES)
    for word in SYNONYMS:
        assert normalize_status(word)[0] == SYNONYMS[word]


@pytest.mark.parametrize("word", ["capturd", "peace", "maybe", "ok"])
def test_unknown_status_names_the_word_and_the_vocabulary(word):
    with pytest.raises(UnknownStatus) as info:
        normalize_status(word)
    msg = str(info.value)
    assert f"'{word}' is not a status" in msg and "not_controlled" in msg
    assert isinstance(info.value, MapperError)


def test_unknown_status_suggests_close_words():
    with pytest.raises(UnknownStatus) as info:
        normalize_status("contolled")
    assert "controlled" in info.value.suggestions
    assert "did you mean 'controlled'" in str(info.value)


def test_empty_status():
    with pytest.raises(UnknownStatus, match="empty status"):
        normalize_status("  ")


@pytest.mark.parametrize(
    "event_type, sub_type, a1, a2, expected",
    [
        (
            "Battles",
            "Non-state actor overtakes territory",
            "Taliban",
            "Military Forces of Afghanistan (2014-)",
            ("controlled", "Taliban"),
        ),
        (
            "Strategic developments",
            "Non-state actor overtakes territory",
            "Taliban",
            "",
            ("controlled", "Taliban"),
        ),
        (
            "Battles",
            "Government regains territory",
            "Military Forces of Syria (2000-)",
            "HTS: Hayat Tahrir al Sham",
            ("controlled", "Military Forces of Syria (2000-)"),
        ),
        (
            "Battles",
            "Government regains territory",
            "Taliban",
            "Police Forces of Afghanistan (2014-)",
            ("controlled", "Police Forces of Afghanistan (2014-)"),
        ),
        (
            "Strategic developments",
            "Non-violent transfer of territory",
            "M23: March 23 Movement",
            "",
            ("controlled", "M23: March 23 Movement"),
        ),
        (
            "Battles",
            "Armed clash",
            "Taliban",
            "Military Forces of Afghanistan (2014-)",
            ("contested", "Taliban"),
        ),
        (
            "Explosions/Remote violence",
            "Air/drone strike",
            "Military Forces of Afghanistan (2014-)",
            "Taliban",
            ("attacked", "Military Forces of Afghanistan (2014-)"),
        ),
        (
            "Protests",
            "Peaceful protest",
            "Protesters (India)",
            "",
            ("attacked", "Protesters (India)"),
        ),
    ],
)
def test_acled_status(event_type, sub_type, a1, a2, expected):
    assert acled_status(event_type, sub_type, a1, a2) == expected


def test_government_actor():
    assert government_actor("", "Government of Afghanistan") == "Government of Afghanistan"
    assert government_actor("Taliban", "IS") == ""


@pytest.mark.parametrize(
    "code, status", [("1", "contested"), (2, "contested"), (" 3 ", "attacked")]
)
def test_ucdp_status(code, status):
    assert ucdp_status(code)[0] == status


@pytest.mark.parametrize("code", ["0", "4", "", "x"])
def test_ucdp_status_unknown(code):
    with pytest.raises(UnknownStatus):
        ucdp_status(code)


def test_change_words_of_the_rule_table_are_statuses_of_their_own_kind():
    """Every change word in rules.json that is also a status word maps onto the status it is listed under."""
    from mapper.status import SYNONYMS
    from mapper.timeline import RULES

    for status, words in RULES["change_words"].items():
        for w in words:
            if w in SYNONYMS:
                assert SYNONYMS[w] == status, (w, status)
