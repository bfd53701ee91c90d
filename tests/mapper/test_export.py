"""mapper.export: claims and assessment intervals written to GIS formats and read back."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import pytest

from mapper.errors import MapperError, OutputExists
from mapper.export import assessment_records, claim_records, export, fmt_for

KML = "{http://www.opengis.net/kml/2.2}"

# Made-up claims: two Sudanese towns given by coordinates (not in the small test index), one Afghan
# province and one Tajik town resolved by the gazetteer; a quote with markup characters.
CLAIMS = """id,place,time,status,actor,claimant,source,quote,country,admin1,lat,lon
sd-1,El Fasher,2023-10-01,captured,Rapid Support Forces,RSF statement,Test wire,"Fighters say they hold the <b>market</b> & the airport.",SD,North Darfur,13.6289,25.3494
sd-2,El Fasher,2023-10-05,retook,Sudanese Armed Forces,army spokesman,Test wire,The army says the town is back under its control.,SD,North Darfur,13.6289,25.3494
sd-3,Nyala,2023-10-02,shelling,Rapid Support Forces,local monitors,Test daily,Shells fell near the bus station.,SD,South Darfur,12.0489,24.8807
af-1,Badghis,2021-08-01,fighting,Taliban,provincial official,Test daily,Fighting on several fronts in the province.,AF,Badghis,,
tj-1,Khorugh,2021-07-20,controlled,Government of Tajikistan,border guards,Test radio,Guards say the town is calm.,TJ,,,
"""


@pytest.fixture(scope="module")
def prep(small_gazetteer, tmp_path_factory):
    from mapper.state import prepare_state

    path = tmp_path_factory.mktemp("export") / "claims.csv"
    path.write_text(CLAIMS, encoding="utf-8")
    return prepare_state([path], gazetteer=small_gazetteer)


def _utc(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")) if s else None


def test_formats_from_suffix():
    assert fmt_for("a/b.GPKG") == "gpkg"
    with pytest.raises(MapperError, match=r"\.shp.*\*\.geojson"):
        fmt_for("x.shp")


def test_claim_records_have_geometry_and_provenance(prep):
    recs = claim_records(prep)
    assert sorted(r["id"] for r in recs) == ["af-1", "sd-1", "sd-2", "sd-3", "tj-1"]
    by = {r["id"]: r for r in recs}
    g = by["sd-3"]["geometry"]
    assert (g.x, g.y) == pytest.approx((24.8807, 12.0489))  # lon, lat
    assert by["af-1"]["geometry"].geom_type in ("Polygon", "MultiPolygon")
    assert by["af-1"]["drawn_as"] == "unit"
    assert by["tj-1"]["gazetteer_id"].startswith("geonames:")
    assert by["sd-1"]["row"] == 1 and by["sd-1"]["file"].endswith("claims.csv")
    assert by["sd-2"]["status_raw"] == "retook"


def test_assessment_intervals_agree_with_state_at(prep):
    tl = prep.timeline
    recs = assessment_records(prep)
    assert recs
    for r in recs:
        start, end = _utc(r["start"]), _utc(r["end"])
        probe = start if end is None else start + (end - start) / 2
        st = tl.state_at(r["place_key"], probe)
        assert (st.status, st.actor) == (r["status"], r["actor"])
        assert r["claim_ids"].split(";") == list(dict.fromkeys(tl.entries[i].claim.id for i in st.entries))
        assert r["disputed"] == (st.status == "disputed")
    # Intervals of one place never overlap and are in time order.
    by_place = {}
    for r in recs:
        by_place.setdefault(r["place_key"], []).append(r)
    for rows in by_place.values():
        for a, b in zip(rows, rows[1:]):
            assert a["end"] and _utc(a["end"]) <= _utc(b["start"])
    # The shelling of Nyala is an incident: current for the incident window, then no row.
    nyala = [r for r in recs if r["place_name"] == "Nyala"]
    assert len(nyala) == 1 and nyala[0]["status"] == "attacked" and nyala[0]["end"]
    assert _utc(nyala[0]["end"]) - _utc(nyala[0]["start"]) >= prep.window
    # Khorugh's only claim stands: one open interval.
    khorugh = [r for r in recs if r["claim_ids"] == "tj-1"]
    assert len(khorugh) == 1 and khorugh[0]["end"] == "" and khorugh[0]["status"] == "controlled"


def test_assessment_at_and_every(prep):
    at = datetime(2023, 10, 3, 12, tzinfo=timezone.utc)
    now = assessment_records(prep, at=at)
    assert {r["place_name"] for r in now} >= {"El Fasher", "Nyala"}
    assert all(_utc(r["start"]) <= at and (not r["end"] or at < _utc(r["end"])) for r in now)
    daily = assessment_records(prep, every=timedelta(days=1))
    fasher = [r for r in daily if r["place_name"] == "El Fasher"]
    assert all(_utc(b["start"]) - _utc(a["start"]) == timedelta(days=1) for a, b in zip(fasher, fasher[1:]))
    for r in fasher:
        assert prep.timeline.state_at(r["place_key"], _utc(r["start"])).status == r["status"]


def test_geojson_round_trip_lon_lat(prep, tmp_path):
    res = export(prep, tmp_path / "c.geojson")
    fc = json.loads((tmp_path / "c.geojson").read_text(encoding="utf-8"))
    assert res.features == len(fc["features"]) == 5
    sd3 = next(f for f in fc["features"] if f["properties"]["id"] == "sd-3")
    assert sd3["geometry"] == {"type": "Point", "coordinates": [24.8807, 12.0489]}
    with pytest.raises(OutputExists):
        export(prep, tmp_path / "c.geojson")
    export(prep, tmp_path / "c.geojson", what="assessment", overwrite=True)
    assert "claim_ids" in json.loads((tmp_path / "c.geojson").read_text())["features"][0]["properties"]


@pytest.mark.parametrize("what", ["claims", "assessment"])
def test_gpkg_round_trip(prep, tmp_path, what):
    import geopandas as gpd

    recs = claim_records(prep) if what == "claims" else assessment_records(prep)
    res = export(prep, tmp_path / "x.gpkg", what=what)
    back = gpd.read_file(tmp_path / "x.gpkg", layer=what, engine="pyogrio")
    assert len(back) == res.features == len(recs)
    assert list(back["start"].fillna("")) == [r["start"] for r in recs]
    assert list(back["end"].fillna("")) == [r["end"] for r in recs]
    for g, r in zip(back.geometry, recs):
        assert g.equals_exact(r["geometry"], 1e-9)
    assert back.crs.to_epsg() == 4326


def test_kml_time_spans_and_escaping(prep, tmp_path):
    recs = assessment_records(prep)
    export(prep, tmp_path / "a.kml", what="assessment")
    root = ET.parse(tmp_path / "a.kml").getroot()
    pms = root.iter(f"{KML}Placemark")
    spans = [(pm.find(f"{KML}TimeSpan/{KML}begin").text, getattr(pm.find(f"{KML}TimeSpan/{KML}end"), "text", ""))
             for pm in pms]
    assert spans == [(r["start"], r["end"] or "") for r in recs]
    export(prep, tmp_path / "c.kml")
    raw = (tmp_path / "c.kml").read_text(encoding="utf-8")
    assert "<b>market</b>" not in raw and "&lt;b&gt;market&lt;/b&gt; &amp; the airport" in raw
    root = ET.parse(tmp_path / "c.kml").getroot()
    descs = [d.text for d in root.iter(f"{KML}description")]
    assert any("<b>market</b> & the airport" in (d or "") for d in descs)
    coords = {pm.find(f"{KML}name").text: pm.find(f".//{KML}Point/{KML}coordinates") for pm in root.iter(f"{KML}Placemark")}
    nyala = next(v for k, v in coords.items() if k.startswith("Nyala"))
    assert nyala.text == "24.880700,12.048900"  # lon,lat as KML wants


def test_csv_round_trip(prep, tmp_path):
    import csv

    export(prep, tmp_path / "c.csv")
    rows = list(csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8")))
    assert sorted(r["id"] for r in rows) == ["af-1", "sd-1", "sd-2", "sd-3", "tj-1"]
    assert next(r for r in rows if r["id"] == "sd-3")["wkt"] == "POINT (24.8807 12.0489)"


def test_parquet_without_pyarrow_is_one_clear_error(prep, tmp_path, monkeypatch):
    from mapper.errors import OptionalDependencyMissing

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    with pytest.raises(OptionalDependencyMissing, match=r"GeoParquet export.*pyarrow.*pip install 'conflictmap\[parquet\]'"):
        export(prep, tmp_path / "a.parquet", what="assessment")
    assert not (tmp_path / "a.parquet").exists()


def test_parquet_round_trip(prep, tmp_path):
    pytest.importorskip("pyarrow", reason="GeoParquet needs pyarrow (pip install 'conflictmap[parquet]')")
    import geopandas as gpd

    recs = assessment_records(prep)
    export(prep, tmp_path / "a.parquet", what="assessment")
    back = gpd.read_parquet(tmp_path / "a.parquet")
    assert len(back) == len(recs)
    assert list(back["claim_ids"]) == [r["claim_ids"] for r in recs]
    assert list(back["start"]) == [r["start"] for r in recs]
    assert back.crs.to_epsg() == 4326


def test_bad_arguments(prep, tmp_path):
    with pytest.raises(MapperError, match="every applies to the assessment"):
        export(prep, tmp_path / "c.csv", every=timedelta(days=1))
    with pytest.raises(MapperError, match="either at or every"):
        export(prep, tmp_path / "c.csv", what="assessment", at=datetime(2023, 1, 1, tzinfo=timezone.utc),
               every=timedelta(days=1))
    assert not (tmp_path / "c.csv").exists()
