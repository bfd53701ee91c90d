"""Boundary loader: geoBoundaries AFG ADM1/ADM2 (shared data) and synthetic GADM / shapefile files."""

import hashlib
import shutil
import sqlite3

import pytest

from gazetteer import Gazetteer, SourceDataError
from gazetteer.sources import remove_source
from gazetteer.sources.boundaries import add_boundaries

QALA_I_NAW_TOWN = "geonames:1129867"


def _copy_index(src_dir, dst):
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy(src_dir / "gazetteer.sqlite", dst / "gazetteer.sqlite")
    return dst


def _digest(folder) -> str:
    return hashlib.sha256((folder / "gazetteer.sqlite").read_bytes()).hexdigest()


def _rows(folder, sql):
    conn = sqlite3.connect(folder / "gazetteer.sqlite")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def afg_dir(small_gazetteer_dir, shared_data, tmp_path_factory):
    """Small index + geoBoundaries AFG ADM1 and ADM2 (loaded once; tests must not mutate it)."""
    folder = _copy_index(small_gazetteer_dir, tmp_path_factory.mktemp("afg-boundaries"))
    afg = shared_data / "boundaries" / "afg"
    r1 = add_boundaries(folder, afg / "geoBoundaries-AFG-ADM1.geojson", level=1)
    r2 = add_boundaries(folder, afg / "geoBoundaries-AFG-ADM2.geojson", level=2)
    return folder, r1, r2


@pytest.fixture(scope="module")
def afg(afg_dir):
    gz = Gazetteer.open(afg_dir[0], build=False)
    yield gz
    gz.close()


def test_adm1_merges_into_existing_provinces(afg_dir, afg):
    _folder, r1, _r2 = afg_dir
    assert r1.added == 0 and r1.merged == 34  # no duplicate provinces
    assert len(afg.children("country:AF")) == 34
    # geoBoundaries' typo is an alternate of Ghazni, and Ghazni stays unambiguous.
    typo = afg.resolve("Ghanzi", country="AF")
    assert typo.status == "resolved" and typo.best.place.kind == "admin1"
    res = afg.resolve("Ghazni province", country="AF")
    assert res.status == "resolved" and res.best.place.id == typo.best.place.id
    kandahar = afg.resolve("Kandahar province").best.place
    assert ("iso:AF-KAN",) in _rows(afg_dir[0], f"SELECT code FROM codes c JOIN places p ON p.pid = c.pid "
                                               f"WHERE p.id = '{kandahar.id}'")


def test_every_afghan_populated_place_knows_its_district(afg_dir, afg):
    rows = _rows(afg_dir[0], "SELECT id, admin2_id FROM places WHERE country_code = 'AF' AND kind = 'populated_place'")
    assert len(rows) > 300
    missing = [pid for pid, a2 in rows if not a2]
    assert missing == []
    from shapely.geometry import Point

    for place_id, a2 in rows[:: max(1, len(rows) // 40)]:
        place, district = afg.get(place_id), afg.get(a2)
        assert district.kind == "admin2"
        assert afg.geometry(district).distance(Point(place.lon, place.lat)) < 0.06  # inside or ~5 km sliver


def test_qala_i_naw_district_resolves_to_the_polygon(afg):
    res = afg.resolve("Qala-I- Naw district")
    assert res.status == "resolved"
    district = res.best.place
    assert district.kind == "admin2" and district.has_geometry and district.admin1 == "Badghis"
    geom = afg.geometry(district)
    assert geom.geom_type in ("Polygon", "MultiPolygon")
    town = afg.get(QALA_I_NAW_TOWN)
    assert town.admin2_id == district.id
    from shapely.geometry import Point

    assert geom.covers(Point(town.lon, town.lat))
    # The bare name is still the town (the district's point is its seat, so both agree anyway).
    assert afg.resolve("Qala-e-Naw", country="AF").best.place.id == QALA_I_NAW_TOWN


def test_badghis_lists_its_seven_districts(afg):
    badghis = afg.resolve("Badghis province").best.place
    kids = afg.children(badghis.id)
    assert len(kids) == 7
    assert {"Qala-I- Naw", "Bala Murghab", "Ab Kamari"} <= {k.name for k in kids}
    assert all(k.kind == "admin2" and k.admin1_id == badghis.id for k in kids)


def test_repeated_district_names_are_told_apart_by_province(afg):
    a = afg.resolve("Arghandab district", country="AF", within="Kandahar")
    b = afg.resolve("Arghandab district", country="AF", within="Zabul")
    assert a.best.place.kind == b.best.place.kind == "admin2"
    assert a.best.place.id != b.best.place.id
    assert (a.best.place.admin1, b.best.place.admin1) == ("Kandahar", "Zabul")


def test_source_quirks_are_cleaned(afg_dir, afg):
    names = {n for (n,) in _rows(afg_dir[0], "SELECT name FROM places WHERE kind = 'admin2'")}
    assert "Warduj" in names and "Zanda Jan" in names
    assert not any("\n" in n or "  " in n for n in names)
    assert afg.resolve("Warduj district", country="AF").best.place.name == "Warduj"


def test_readding_is_idempotent_and_remove_undoes(small_gazetteer_dir, shared_data, tmp_path):
    folder = _copy_index(small_gazetteer_dir, tmp_path / "d")
    adm2 = shared_data / "boundaries" / "afg" / "geoBoundaries-AFG-ADM2.geojson"
    before_places = _rows(folder, "SELECT * FROM places ORDER BY pid")
    before_names = _rows(folder, "SELECT key, skel, soft, pid, name, flag FROM names ORDER BY rowid")
    first = add_boundaries(folder, adm2, level=2)
    n1 = _rows(folder, "SELECT COUNT(*) FROM places")[0][0]
    second = add_boundaries(folder, adm2, level=2)
    assert not first.replaced and second.replaced
    # Districts the embedded admin-2 units already hold (AF: 6) are merged, not added again.
    assert first.added + first.merged == 398 and second.added == first.added
    assert _rows(folder, "SELECT COUNT(*) FROM places")[0][0] == n1
    out = remove_source(folder, first.source)
    assert out["places"] == first.added
    assert _rows(folder, "SELECT * FROM places ORDER BY pid") == before_places
    assert _rows(folder, "SELECT key, skel, soft, pid, name, flag FROM names ORDER BY rowid") == before_names
    with pytest.raises(SourceDataError, match="no source"):
        remove_source(folder, first.source)


def test_wrong_level_is_refused_and_changes_nothing(small_gazetteer_dir, shared_data, tmp_path):
    folder = _copy_index(small_gazetteer_dir, tmp_path / "d")
    before = _digest(folder)
    with pytest.raises(SourceDataError, match="ADM2.*--level 2"):
        add_boundaries(folder, shared_data / "boundaries" / "afg" / "geoBoundaries-AFG-ADM2.geojson", level=1)
    assert _digest(folder) == before


# ---------------------------------------------------------------------------- synthetic files
def _badghis_boxes():
    """Two small boxes inside Badghis (around Qala i Naw, 63.13 E 34.99 N) and one in Herat."""
    from shapely.geometry import box

    return [box(62.95, 34.85, 63.30, 35.10), box(63.30, 34.85, 63.60, 35.10), box(62.0, 34.2, 62.3, 34.4)]


def _gadm_frame():
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {
            "GID_0": ["AFG", "AFG", "AFG"],
            "NAME_1": ["Badghis", "Badghis", "Hirat"],
            "GID_2": ["AFG.2.1_1", "AFG.2.2_1", "AFG.11.1_1"],
            "NAME_2": ["Qala-i-Naw Test", "Eastbox\n", None],
            "VARNAME_2": ["Kala Nau Test|Qalai Naw Test", None, None],
        },
        geometry=_badghis_boxes(), crs="EPSG:4326",
    )


def test_gadm_geopackage_parents_by_name_and_malformed_rows(small_gazetteer_dir, tmp_path):
    folder = _copy_index(small_gazetteer_dir, tmp_path / "d")
    path = tmp_path / "gadm41_AFG_2.gpkg"
    _gadm_frame().to_file(path, layer="ADM_ADM_2", driver="GPKG")
    report = add_boundaries(folder, path, level=2)
    assert report.source == "boundaries:gadm41_AFG_2"
    assert report.added == 2 and report.malformed == 1
    assert "NAME_2" in report.problems[0] and ":3" in report.problems[0]  # file:line field
    gz = Gazetteer.open(folder, build=False)
    res = gz.resolve("Kala Nau Test", country="AF")  # an alternate from VARNAME_2
    assert res.status == "resolved" and res.best.place.id == "admin2:AF-AFG.2.1_1"
    assert res.best.place.admin1 == "Badghis"
    assert gz.get(QALA_I_NAW_TOWN).admin2_id == "admin2:AF-AFG.2.1_1"
    assert gz.resolve("Eastbox", country="AF").best.place.name == "Eastbox"  # newline cleaned
    gz.close()


def test_strict_makes_a_malformed_feature_fatal(small_gazetteer_dir, tmp_path):
    folder = _copy_index(small_gazetteer_dir, tmp_path / "d")
    path = tmp_path / "gadm.geojson"
    _gadm_frame().to_file(path, driver="GeoJSON")
    before = _digest(folder)
    with pytest.raises(SourceDataError) as err:
        add_boundaries(folder, path, level=2, strict=True)
    assert err.value.line == 3 and err.value.field == "NAME_2"
    assert _digest(folder) == before


def test_zipped_shapefile_with_custom_fields(small_gazetteer_dir, tmp_path):
    import zipfile

    import geopandas as gpd

    folder = _copy_index(small_gazetteer_dir, tmp_path / "d")
    frame = gpd.GeoDataFrame({"DIST": ["Box One", "Box Two"], "PCODE": ["AF0201", "AF0202"]},
                             geometry=_badghis_boxes()[:2], crs="EPSG:4326")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    frame.to_file(shp_dir / "districts.shp")
    zpath = tmp_path / "districts.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for f in shp_dir.iterdir():
            z.write(f, arcname=f.name)
    with pytest.raises(SourceDataError, match="--name-field"):
        add_boundaries(folder, zpath, level=2)
    with pytest.raises(SourceDataError, match="'NOPE' is not a field"):
        add_boundaries(folder, zpath, level=2, name_field="NOPE")
    report = add_boundaries(folder, zpath, level=2, name_field="DIST", code_field="PCODE")
    assert report.added == 2
    gz = Gazetteer.open(folder, build=False)
    p = gz.resolve("Box One district").best.place
    assert p.id == "admin2:AF-AF0201" and p.country_code == "AF" and p.admin1 == "Badghis"  # country by location
    gz.close()
