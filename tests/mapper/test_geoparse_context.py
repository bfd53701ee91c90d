"""Geoparsing in context: demonyms, plural type words, span cues, common and generic words,
city vs unit, physical features. Small index (AF, TJ, PK, IR, UZ, TM); our own sentences."""

import pytest

from mapper.geoparse import Geoparser


@pytest.fixture(scope="module")
def gp(small_gazetteer):
    return Geoparser(small_gazetteer)


def _by_name(mentions):
    out = {}
    for m in mentions:
        out.setdefault(m.name, []).append(m)
    return out


def test_demonym_is_the_country_never_a_town(gp):
    ms = _by_name(gp.parse("Afghan and Pakistani officials met in Herat on Monday."))
    for word, cc in (("Afghan", "AF"), ("Pakistani", "PK")):
        for m in ms.get(word, []):
            assert m.place is not None and m.place.kind == "country" and m.place.country_code == cc
    assert ms["Herat"][0].place.kind == "populated_place"


@pytest.mark.parametrize("text", [
    "Fighting spread across the provinces of Helmand, Kandahar and Zabul.",
    "Fighting spread across Helmand, Kandahar and Zabul provinces.",
])
def test_plural_type_word_covers_every_name_of_the_list(gp, text):
    ms = _by_name(gp.parse(text))
    for name in ("Helmand", "Kandahar", "Zabul"):
        assert ms[name][0].place.kind == "admin1", (name, ms[name][0].place)


def test_bare_unit_name_shared_by_its_town_is_the_town(gp):
    ms = _by_name(gp.parse("Government forces retook Kunduz after a week of fighting."))
    assert ms["Kunduz"][0].place.kind == "populated_place"
    ms = _by_name(gp.parse("Government forces retook most of Kunduz province."))
    assert ms["Kunduz"][0].place.kind == "admin1"


def test_route_and_location_cues_keep_the_town(gp):
    ms = _by_name(gp.parse("The convoy drove from Herat to Kabul on Tuesday."))
    assert ms["Herat"][0].place.country_code == "AF" and ms["Kabul"][0].place.country_code == "AF"
    ms = _by_name(gp.parse("The company is located in Mazar-i-Sharif and employs forty people."))
    assert any(m.place is not None and m.place.country_code == "AF" for m in ms.get("Mazar-i-Sharif", []))


@pytest.mark.parametrize("text, word", [
    ("Jan said the talks would resume.", "Jan"),
    ("A report dated Jan. 5 was released.", "Jan"),
    ("The University said classes would resume.", "University"),
    ("The National Assembly met on Sunday.", "National"),
    ("The Bay was calm that morning.", "Bay"),
])
def test_common_and_generic_words_are_not_places(gp, text, word):
    assert word not in _by_name(gp.parse(text))


def test_generic_word_with_a_type_word_may_still_be_a_place(gp):
    from mapper.geoparse.parser import _KIND_AFTER

    assert _KIND_AFTER.match(" region of Somalia")  # "Bay region": the type word names it a unit


def test_physical_feature_in_text(gp):
    ms = _by_name(gp.parse("Smugglers crossed the Hindu Kush before the snow."))
    assert ms["Hindu Kush"][0].place.id.startswith("physical:")
