"""Resolver behaviour on the small (Afghanistan and neighbours) test index."""

import pytest

from gazetteer import Gazetteer, IndexNotBuilt, haversine_km

QALA_I_NAW = (34.987, 63.129)  # lat, lon


def _km(place, latlon):
    return haversine_km(place.lat, place.lon, *latlon)


@pytest.mark.parametrize(
    "name", ["Qala-e-Naw", "Qal-e-Naw", "Qala i Naw", "Qala-I- Naw town", "Qal'eh-ye Now", "قلعه نو"]
)
def test_qala_i_naw_spellings(small_gazetteer, name):
    # Without hints the best candidate is already Qala i Naw; an Iranian namesake of similar size
    # (Qal'eh Now Khaleseh, pop 5,352 vs 9,000) may make the bare Persian spelling "ambiguous",
    # which is reported rather than hidden.
    bare = small_gazetteer.resolve(name)
    assert bare.best.place.id == "geonames:1129867"
    assert bare.status in ("resolved", "ambiguous")
    res = small_gazetteer.resolve(name, country="AF")
    assert res.status == "resolved", res
    assert res.best.place.id == "geonames:1129867"
    assert _km(res.best.place, QALA_I_NAW) < 2
    assert res.best.reason


@pytest.mark.parametrize(
    "family",
    [
        ["Pul-e Khumri", "Pul-i-Khumri", "Puli Khumri"],
        ["Tarinkot", "Tirin Kot"],
        ["Gardez", "Gardiz"],
        ["Maimana", "Maymana"],
        ["Mazar-e Sharif", "Mazari Sharif"],
        ["Lashkargah", "Lashkar Gah"],
        ["Sar-e Pol", "Sari Pul", "Sar-e Pul"],
        ["Taloqan", "Taluqan"],
        ["Charikar", "Chaharikar"],
        ["Mihtarlam", "Mehtar Lam"],
        ["Sharana", "Sharan"],
    ],
)
def test_variant_families_resolve_to_one_place(small_gazetteer, family):
    places = [small_gazetteer.resolve(v, country="AF").best.place for v in family]
    # Same place, or a town and the province named after it (Sar-e Pul / Sari Pul province).
    towns = {p.id for p in places if p.kind == "populated_place"}
    units = {p.id for p in places if p.kind != "populated_place"}
    assert len(towns) <= 1 and len(units) <= 1, (family, towns, units)
    if towns and units:
        town = next(p for p in places if p.kind == "populated_place")
        assert town.admin1_id in units


def test_province_with_polygon(small_gazetteer):
    for q in ("Badghis", "Badghis province", "Province of Badghis", "Wilayat-e Badghis"):
        res = small_gazetteer.resolve(q)
        assert res.best.place.kind == "admin1", q
        assert res.best.place.name == "Badghis"
    badghis = small_gazetteer.resolve("Badghis").best.place
    geom = small_gazetteer.geometry(badghis)
    from shapely.geometry import Point

    assert geom.geom_type in ("Polygon", "MultiPolygon")
    assert geom.contains(Point(QALA_I_NAW[1], QALA_I_NAW[0]))  # shapely is (lon, lat)


def test_kunduz_city_and_province_are_both_ranked(small_gazetteer):
    res = small_gazetteer.resolve("Kunduz")
    kinds = [c.place.kind for c in res.candidates[:2]]
    assert sorted(kinds) == ["admin1", "populated_place"]
    assert res.status == "resolved"  # a city and its own province are not an ambiguity


def test_country_with_polygon(small_gazetteer):
    res = small_gazetteer.resolve("Tajikistan")
    assert res.best.place.kind == "country" and res.best.place.country_code == "TJ"
    assert small_gazetteer.geometry(res.best.place).area > 10


def test_four_distinct_provinces_despite_natural_earth_labels(small_gazetteer):
    ids = {}
    for name in ("Daykundi", "Uruzgan", "Panjshir", "Parwan"):
        res = small_gazetteer.resolve(name, country="AF", kind="admin1")
        assert res.best.place.kind == "admin1", name
        assert res.best.place.name.lower().startswith(name.lower()[:4]), (name, res.best.place.name)
        ids[name] = res.best.place.id
    assert len(set(ids.values())) == 4, ids


def test_places_link_to_country_and_admin1(small_gazetteer):
    p = small_gazetteer.resolve("Qala-e-Naw").best.place
    assert p.country_code == "AF" and p.country == "Afghanistan"
    assert p.admin1 == "Badghis" and p.admin1_id == small_gazetteer.resolve("Badghis").best.place.id
    districts = small_gazetteer.children("country:AF")
    assert len(districts) == 34  # Afghanistan's provinces


def test_country_hint_and_fuzzy_fallback(small_gazetteer):
    # geoBoundaries' typo "Ghanzi" must still find Ghazni when the row says Afghanistan.
    res = small_gazetteer.resolve("Ghanzi", country="Afghanistan")
    assert res.best.place.name == "Ghazni" and res.best.match == "fuzzy"


def test_within_hint_prefers_the_contained_place(small_gazetteer):
    plain = small_gazetteer.resolve("Qal-e-Naw", within="Badghis")
    assert plain.best.place.admin1 == "Badghis"
    assert "within Badghis" in plain.best.reason


def test_context_pulls_towards_co_mentioned_places(small_gazetteer):
    near_kabul = (34.53, 69.17)
    near_herat = (34.35, 62.2)
    a = small_gazetteer.resolve("Kohsan", context=[near_herat])
    if a.status == "not_found":
        pytest.skip("Kohsan not in cities500")
    b = small_gazetteer.resolve("Kohsan", context=[near_kabul])
    assert a.best.score > b.best.score


def test_unknown_and_junk_names_never_raise(small_gazetteer):
    for junk in ["", "   ", "\x00\x01", "!!!", "x" * 1_000_000, b"\xff\xfe", "Zzyzxqwv"]:
        res = small_gazetteer.resolve(junk)
        assert res.status == "not_found"
        assert res.best is None
    res = small_gazetteer.resolve("Badghiss")
    assert res.status in ("resolved", "not_found")
    miss = small_gazetteer.resolve("Qalat-e-Bogusabad")
    assert miss.status == "not_found"
    assert isinstance(miss.suggestions, tuple)


def test_one_bad_name_does_not_affect_others(small_gazetteer):
    out = small_gazetteer.resolve_many(["Herat", "\x00", "Kabul"])
    assert [r.status for r in out] == ["resolved", "not_found", "resolved"]


def test_ambiguity_is_reported_not_hidden(small_gazetteer):
    # Several Afghan districts/towns share names across provinces; without hints some must be ambiguous.
    statuses = {small_gazetteer.resolve(n).status for n in ["Fayzabad", "Qarabagh", "Kohistan", "Dawlatabad"]}
    assert "ambiguous" in statuses
    res = next(small_gazetteer.resolve(n) for n in ["Fayzabad", "Qarabagh", "Kohistan", "Dawlatabad"]
               if small_gazetteer.resolve(n).status == "ambiguous")
    assert len(res.candidates) >= 2
    assert abs(res.candidates[0].score - res.candidates[1].score) < 0.05


def test_to_dict_has_the_documented_shape(small_gazetteer):
    d = small_gazetteer.resolve("Herat").to_dict()
    assert set(d) >= {"query", "status", "best", "candidates", "suggestions"}
    assert {"id", "name", "kind", "lat", "lon", "country_code", "score", "reason", "bbox"} <= set(d["best"])


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexNotBuilt, match="gazetteer build"):
        Gazetteer.open(tmp_path, build=False)


def test_attribution_and_sources(small_gazetteer):
    text = " ".join(small_gazetteer.attribution())
    assert "GeoNames" in text and "CC BY" in text and "Natural Earth" in text
    assert {s["name"] for s in small_gazetteer.sources()} >= {"geonames-cities500", "natural-earth-admin"}


def test_country_points_sit_on_the_main_landmass(small_gazetteer):
    # The largest part's centroid, near where GeoNames puts countries (Afghanistan: 33 N, 66 E;
    # Tajikistan: 39 N, 71 E), not an arbitrary interior point.
    af = small_gazetteer.get("country:AF")
    assert haversine_km(af.lat, af.lon, 33.0, 66.0) < 150
    tj = small_gazetteer.get("country:TJ")
    assert haversine_km(tj.lat, tj.lon, 39.0, 71.0) < 150


def test_continents_and_country_abbreviations(small_gazetteer):
    assert small_gazetteer.resolve("Asia").best.place.id.startswith("continent:")
    assert small_gazetteer.resolve("US").best.place.id == "country:US"


def test_shared_admin1_codes_link_by_polygon(small_gazetteer):
    # Every place's admin1 name and id must describe the same unit.
    import sqlite3

    con = sqlite3.connect(small_gazetteer.path)
    bad = con.execute(
        "SELECT COUNT(*) FROM places c JOIN places a ON a.id = c.admin1_id "
        "WHERE c.kind = 'populated_place' AND c.admin1 != a.name"
    ).fetchone()[0]
    assert bad == 0


def test_name_entries_can_carry_the_name_flag(small_gazetteer):
    entry = next(iter(small_gazetteer.name_entries(with_flag=True)))
    assert len(entry) == 6 and entry[5] in (0, 1, 2)


def test_a_namesake_outside_the_hinted_unit_is_never_resolved(small_gazetteer):
    # "Muqur" exists in the index only as a village in Ghazni; a row that says Badghis means
    # another place (a Badghis district the index does not know), not that village 300+ km away.
    plain = small_gazetteer.resolve("Muqur", country="AF")
    assert plain.status == "resolved" and plain.best.place.admin1 == "Ghazni"
    res = small_gazetteer.resolve("Muqur", country="AF", within="Badghis")
    assert res.status == "not_found" and res.best is None
    assert "not within Badghis" in res.message and "Ghazni" in res.message and " km " in res.message
    assert res.candidates[0].place.id == plain.best.place.id  # shown, as a suggestion
    assert small_gazetteer.outside_hint(res, "Badghis").place.admin1 == "Ghazni"
    # The same hint agrees with the town that is in Badghis.
    inside = small_gazetteer.resolve("Qala-e-Naw", country="AF", within="Badghis")
    assert inside.status == "resolved" and small_gazetteer.outside_hint(inside, "Badghis") is None
    # And with a unit that contains the hint (a row naming its own province or country).
    assert small_gazetteer.resolve("Badghis", within="Badghis").status == "resolved"
    assert small_gazetteer.resolve("Afghanistan", within="Badghis").status == "resolved"


def test_within_hint_tolerates_only_a_few_km_beyond_the_boundary(small_gazetteer):
    from dataclasses import replace

    from gazetteer.resolver import WITHIN_TOLERANCE_KM

    badghis = small_gazetteer.resolve("Badghis").best.place
    qala = small_gazetteer.resolve("Qala-e-Naw", country="AF").best.place
    assert small_gazetteer.within_hint(qala, badghis)
    geom = small_gazetteer.geometry(badghis)
    x0, y0, x1, y1 = geom.bounds
    # A point due west of the province's westernmost vertex: 0.05 deg (~4.5 km) and 1 deg (~90 km) out.
    west = min(geom.exterior.coords if geom.geom_type == "Polygon" else
               [c for g in geom.geoms for c in g.exterior.coords], key=lambda c: c[0])
    for dlon, agrees in ((0.05, True), (1.0, False)):
        p = replace(qala, id=f"test:{dlon}", lat=west[1], lon=west[0] - dlon, admin1_id=None, admin1=None,
                    bbox=(west[0] - dlon, west[1], west[0] - dlon, west[1]))
        km = small_gazetteer.km_outside(p, badghis)
        assert (km <= WITHIN_TOLERANCE_KM) is agrees, km
        assert small_gazetteer.within_hint(p, badghis) is agrees
