"""build_map: resolution with row hints, coordinate overrides, geometry honesty, reports."""

from __future__ import annotations

import csv
import json
import re

import pytest

from mapper.errors import OutputExists, UnresolvedPlaces
from mapper.pipeline import build_map

HEADER = "id,place,time,status,actor,claimant,quote,scope,country,admin1,place_id,lat,lon\n"


def _write(tmp_path, rows, name="claims.csv"):
    p = tmp_path / name
    p.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return p


def _data(path) -> dict:
    return json.loads(re.search(r'id="conflictmap-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S).group(1))


def _place(result, claim_id):
    tl = result.timeline
    entry = next(e for e in tl.entries if e.claim.id == claim_id and e.derived_from is None)
    return tl.places[entry.place_key]


def test_hints_and_overrides(tmp_path, small_gazetteer):
    src = _write(tmp_path, [
        "a,Qala-e-Naw,2021-07-06,captured,Taliban,MP,q,,AF,Badghis,,,",                       # name + hints
        "b,Kunduz,2021-07-07,controlled,Taliban,Author,q,majority of districts,AF,Kunduz,,,",  # scope names districts
        "c,Kunduz,2021-07-07,controlled,Taliban,Author,q,,AF,Kunduz,,,",                     # the city
        "d,Some village,2021-07-07,captured,Taliban,X,q,,AF,,,34.5,69.2",                    # coordinates only
        "e,Qala-e-Naw,2021-07-07,fighting,Taliban,Y,q,,AF,Badghis,,35.0,63.2",               # coords override, name linked
        "f,Anything,2021-07-07,captured,Taliban,Z,q,,AF,,admin1:AF-02,,",                     # place_id wins
        "g,Nowhere,2021-07-07,captured,Taliban,Z,q,,,,,0,0",                                 # 0,0 is not a place
    ])
    out = tmp_path / "m.html"
    r = build_map([src], gazetteer=small_gazetteer, output=out)
    assert _place(r, "a").gazetteer_id == "geonames:1129867" and _place(r, "a").drawn_as == "point"
    assert _place(r, "b").kind == "admin1" and _place(r, "b").drawn_as == "unit"
    assert _place(r, "c").kind == "populated_place"
    d = _place(r, "d")
    assert (d.lat, d.lon) == (34.5, 69.2) and d.drawn_as == "point" and d.gazetteer_id == ""
    e = _place(r, "e")
    assert (e.lat, e.lon) == (35.0, 63.2) and e.gazetteer_id == "geonames:1129867"
    assert _place(r, "f").key == "admin1:AF-02"
    statuses = {u.claim.id: (u.status, u.mapped_as) for u in r.unresolved}
    assert statuses["d"] == ("not_found", "coordinates from the row")
    assert statuses["g"][1] == ""  # not on the map
    assert "e" not in statuses and "f" not in statuses
    data = _data(out)
    assert all(p.get("ll") != [0, 0] for p in data["places"])
    assert r.mapped == 6 and r.claims == 7


def test_dataset_centroids_are_drawn_as_areas(tmp_path, small_gazetteer):
    # A UCDP row with where_prec 5: its coordinates are only the province centroid.
    p = tmp_path / "ucdp.csv"
    cols = ["id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
            "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
            "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
            "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
            "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
            "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start",
            "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
            "gwnoa", "gwnob"]
    row = dict.fromkeys(cols, "")
    row.update(id="1", relid="AFG-1", year="2021", active_year="1", type_of_violence="1", side_a="Government of Afghanistan",
               side_b="Taleban", where_prec="5", where_coordinates="Badghis province", adm_1="Badghis province",
               latitude="35.1", longitude="63.8", country="Afghanistan", date_prec="1",
               date_start="2021-07-06 00:00:00.000", date_end="2021-07-06 00:00:00.000", best="3")
    row2 = dict(row, id="2", relid="AFG-2", where_prec="5", where_coordinates="Nowhereqq province", adm_1="",
                latitude="33.0", longitude="66.0")
    with p.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        w.writerow(row)
        w.writerow(row2)
    out = tmp_path / "u.html"
    r = build_map([p], gazetteer=small_gazetteer, output=out)
    assert r.load.accepted == 2, r.load.summary()
    keys = {e.claim.id: e.place_key for e in r.timeline.entries}
    badghis = r.timeline.places[keys["1"]]
    assert badghis.key == "admin1:AF-02" and badghis.drawn_as == "unit"  # the unit, not its centroid
    other = r.timeline.places[keys["2"]]
    assert other.drawn_as == "approximate" and other.radius_m >= 50_000
    assert "approximate location" in other.note


def test_strict_raises_before_writing(tmp_path, small_gazetteer):
    src = _write(tmp_path, ["a,Xyzzyqq,2021-07-06,captured,Taliban,MP,q,,AF,,,,"])
    out = tmp_path / "m.html"
    with pytest.raises(UnresolvedPlaces) as err:
        build_map([src], gazetteer=small_gazetteer, output=out, strict=True)
    assert err.value.unresolved[0].claim.place == "Xyzzyqq"
    assert not out.exists()


def test_unresolved_sidecar_follows_the_map(tmp_path, small_gazetteer):
    bad = _write(tmp_path, ["a,Xyzzyqq,2021-07-06,captured,Taliban,MP,q,,AF,,,,"], "bad.csv")
    good = _write(tmp_path, ["a,Qala-e-Naw,2021-07-06,captured,Taliban,MP,q,,AF,Badghis,,,"], "good.csv")
    out = tmp_path / "m.html"
    r = build_map([bad], gazetteer=small_gazetteer, output=out)
    side = tmp_path / "m.html.unresolved.csv"
    assert r.unresolved_path == side and side.exists()
    with pytest.raises(OutputExists):
        build_map([good], gazetteer=small_gazetteer, output=out)
    build_map([good], gazetteer=small_gazetteer, output=out, overwrite=True)
    assert not side.exists()  # a stale list would describe another run


def test_summary_names_numbers(tmp_path, small_gazetteer):
    src = _write(tmp_path, ["a,Qala-e-Naw,2021-07-06,captured,Taliban,MP,q,,AF,Badghis,,,",
                            "b,Qala-e-Naw,not a date,captured,Taliban,MP,q,,AF,Badghis,,,"])
    r = build_map([src], gazetteer=small_gazetteer, output=tmp_path / "m.html")
    text = r.summary()
    assert "1 accepted, 1 rejected" in text and "row 2" in text
    assert "Mapped 1 of 1 claims" in text
    meta = json.loads(re.search(r'id="conflictmap-metadata">(.*?)</script>',
                                (tmp_path / "m.html").read_text(encoding="utf-8"), re.S).group(1))
    assert meta["inputs"][0]["path"] == "claims.csv" and len(meta["inputs"][0]["sha256"]) == 64
    assert meta["version"] and meta["gazetteer"][0]["name"]


def test_region_is_drawn_as_its_polygon(tmp_path, small_gazetteer):
    src = _write(tmp_path, ["r,Central Asia,2021-07-07,contested,Taliban,X,q,,,,,,"])
    r = build_map([src], gazetteer=small_gazetteer, output=tmp_path / "m.html")
    place = _place(r, "r")
    assert place.gazetteer_id.startswith("region:") and place.kind == "other"
    assert place.drawn_as == "unit"  # the union of the member countries, not a dot
