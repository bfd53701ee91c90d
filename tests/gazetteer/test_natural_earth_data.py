"""Checks on the committed boundary file gazetteer/data/natural_earth_admin.geojson.gz.

Offline: reads only the committed file (no QGIS, no network). Regenerate the file
with scripts/build_natural_earth.py; see gazetteer/data/SOURCES.md.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

DATA_FILE = Path(__file__).resolve().parents[2] / "gazetteer" / "data" / "natural_earth_admin.geojson.gz"

#: Reference points as (lat, lon), the order reports and GeoNames use.
DUSHANBE_LATLON = (38.54, 68.78)
QALA_I_NAW_LATLON = (34.987, 63.129)
# Intersection allowed between neighbouring simplified polygons, as a share of the smaller one.
MAX_OVERLAP_SHARE = 0.01


def point_latlon(latlon):
    """Shapely point from (lat, lon): shapely is (x=lon, y=lat)."""
    lat, lon = latlon
    return Point(lon, lat)


@pytest.fixture(scope="module")
def collection():
    raw = gzip.decompress(DATA_FILE.read_bytes())

    def reject(constant):
        raise ValueError(f"non-standard JSON constant {constant} in {DATA_FILE.name}")

    return json.loads(raw, parse_constant=reject)


@pytest.fixture(scope="module")
def features(collection):
    return collection["features"]


@pytest.fixture(scope="module")
def afghan_units(features):
    return [f for f in features
            if f["properties"]["kind"] == "admin1" and f["properties"]["country_code"] == "AF"]


def by_name(units, name):
    found = [f for f in units if f["properties"]["name"] == name]
    assert len(found) == 1, f"expected one unit named {name!r}, found {len(found)}"
    return found[0]


def test_file_is_small_enough():
    assert DATA_FILE.stat().st_size <= 6_000_000


def test_is_a_geojson_feature_collection(collection, features):
    assert collection["type"] == "FeatureCollection"
    assert len(features) > 4000
    for f in features:
        assert f["type"] == "Feature"
        assert f["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        geom = shape(f["geometry"])
        assert not geom.is_empty
        minx, miny, maxx, maxy = geom.bounds
        # lon, lat order and WGS84 range
        assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90, f["properties"]["name"]


def test_kinds_and_required_properties(features):
    kinds = Counter(f["properties"]["kind"] for f in features)
    assert set(kinds) == {"country", "admin1"}
    assert kinds["country"] >= 230
    assert kinds["admin1"] >= 4400
    for f in features:
        p = f["properties"]
        assert isinstance(p["name"], str) and p["name"].strip(), p
        assert isinstance(p["alt_names"], list)
        assert len(p["country_code"]) == 2 and p["country_code"].isupper(), p
        if p["kind"] == "admin1":
            assert isinstance(p["admin1_code"], str) and p["admin1_code"], p
            assert p["admin1_code_method"] in {"cities", "fips", "synthetic"}, p


def test_country_codes_are_unique(features):
    codes = Counter(f["properties"]["country_code"] for f in features if f["properties"]["kind"] == "country")
    assert [c for c, n in codes.items() if n > 1] == []


def test_afghanistan_has_34_provinces_with_distinct_codes(afghan_units):
    assert len(afghan_units) == 34
    codes = [f["properties"]["admin1_code"] for f in afghan_units]
    assert len(set(codes)) == 34
    names = [f["properties"]["name"] for f in afghan_units]
    assert len(set(names)) == 34
    assert by_name(afghan_units, "Badghis")["properties"]["admin1_code"] == "02"
    assert by_name(afghan_units, "Kunduz")["properties"]["admin1_code"] == "24"


def test_natural_earth_mislabels_are_fixed(afghan_units):
    """NE labels Daykundi a second 'Uruzgan' and Panjshir a second 'Parwan' (#928, #974)."""
    units = {n: by_name(afghan_units, n) for n in ("Uruzgan", "Daykundi", "Parwan", "Panjshir")}
    codes = {n: f["properties"]["admin1_code"] for n, f in units.items()}
    assert len(set(codes.values())) == 4, codes
    assert codes["Daykundi"] == "41" and codes["Panjshir"] == "42", codes
    assert codes["Uruzgan"] == "39" and codes["Parwan"] == "40", codes
    # neither neighbour may offer the other's name as an alternate
    assert "Panjshir" not in units["Parwan"]["properties"]["alt_names"]
    assert "Daykundi" not in units["Uruzgan"]["properties"]["alt_names"]
    geoms = {n: shape(f["geometry"]) for n, f in units.items()}
    names = list(geoms)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            overlap = geoms[a].intersection(geoms[b]).area
            smaller = min(geoms[a].area, geoms[b].area)
            assert overlap <= MAX_OVERLAP_SHARE * smaller, (a, b, overlap / smaller)


def test_tajikistan_contains_dushanbe(features):
    tj = [f for f in features if f["properties"]["kind"] == "country" and f["properties"]["country_code"] == "TJ"]
    assert len(tj) == 1
    geom = shape(tj[0]["geometry"])
    assert geom.contains(point_latlon(DUSHANBE_LATLON))
    # axis-order guard: the swapped point (lon as lat) lies elsewhere
    lat, lon = DUSHANBE_LATLON
    assert not geom.contains(Point(lat, lon))


def test_badghis_contains_qala_i_naw(afghan_units):
    badghis = shape(by_name(afghan_units, "Badghis")["geometry"])
    assert badghis.contains(point_latlon(QALA_I_NAW_LATLON))
    # and no other Afghan province does
    others = [f["properties"]["name"] for f in afghan_units
              if f["properties"]["name"] != "Badghis" and shape(f["geometry"]).contains(point_latlon(QALA_I_NAW_LATLON))]
    assert others == []
