"""build_map / prepare_state: row hints as constraints, coordinate overrides, geometry honesty, the run report
(unmapped claims first, outliers, flagged drafts), sides and colours from the actors."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from mapper.errors import OutputExists, UnresolvedPlaces
from mapper.pipeline import build_map
from mapper.state import prepare_state

REPO = Path(__file__).resolve().parents[2]

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


def _generated_rows(n_total=400, n_approx=132, bad_at=350):
    """n_total claims: the well-known Badghis places, n_approx unknown villages with a province
    (drawn approximately) and exactly one name with no hint that cannot be mapped at all."""
    import string

    known = [("Qala-e-Naw", "Badghis"), ("Badghis", ""), ("Bala Murghab", "Badghis")]
    rows = []
    for i in range(1, n_total + 1):
        day = 1 + i % 28
        if i == bad_at:
            rows.append(f"r{i},Yyqqzzhamlet,2021-07-{day:02d},captured,Taliban,Claimant {i % 7},q,,,,,,")
        elif i % 3 == 0 and len([r for r in rows if ",Xq" in r]) < n_approx:
            tag = "".join(string.ascii_lowercase[(i // 26 ** k) % 26] for k in range(3))
            rows.append(f"r{i},Xqzv{tag}kalay,2021-07-{day:02d},captured,Taliban,Claimant {i % 7},q,,AF,Badghis,,,")
        else:
            place, admin1 = known[i % len(known)]
            rows.append(f"r{i},{place},2021-07-{day:02d},captured,Taliban,Claimant {i % 7},q,,AF,{admin1},,,")
    return rows


def test_report_lists_the_one_unmapped_claim_first_and_in_full(tmp_path, small_gazetteer):
    rows = _generated_rows()
    assert len(rows) == 400 and sum(",Xq" in r for r in rows) == 132
    src = _write(tmp_path, rows)
    r = build_map([src], gazetteer=small_gazetteer, output=tmp_path / "m.html")
    assert r.claims == 400 and r.mapped == 399
    not_mapped = [u for u in r.unresolved if not u.mapped_as]
    assert [u.claim.place for u in not_mapped] == ["Yyqqzzhamlet"]
    assert sum(1 for u in r.unresolved if u.mapped_as.startswith("approximate area in Badghis")) == 132
    lines = r.summary().splitlines()
    head = lines.index("Claims not on the map (1):")
    assert "claims.csv row 350: 'Yyqqzzhamlet' not found" in lines[head + 1] and "not on the map" in lines[head + 1]
    approx = next(i for i, x in enumerate(lines) if x.startswith("Drawn approximately or from row coordinates (132)"))
    assert head < approx  # never behind the approximate ones
    assert "  ... and 112 more" in lines and any("full list:" in x and x.strip().endswith(".unresolved.csv")
                                                 for x in lines)
    assert "1 not mapped (unresolved), 132 drawn approximately" in lines[0]
    with (tmp_path / "m.html.unresolved.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 133


def test_a_namesake_outside_the_rows_province_is_drawn_in_the_province(tmp_path, small_gazetteer):
    src = _write(tmp_path, [
        "a,Qala-e-Naw,2021-07-06,captured,Taliban,MP,q,,AF,Badghis,,,",
        "b,Muqur,2021-07-06,captured,Taliban,MP,the Taliban took Muqur,,AF,Badghis,,,",  # only a Ghazni namesake
        "c,Muqur,2021-07-06,captured,Taliban,MP,q,,AF,Ghazni,,,",                         # the Ghazni one
    ])
    r = build_map([src], gazetteer=small_gazetteer, output=tmp_path / "m.html")
    b, c = _place(r, "b"), _place(r, "c")
    assert b.drawn_as == "approximate" and b.parent_key == "admin1:AF-02" and b.gazetteer_id == ""
    assert "not within Badghis" in b.note and any("Placed only approximately" in w for w in b.warnings)
    assert c.gazetteer_id == "geonames:1132807" and c.warnings == ()
    u = next(u for u in r.unresolved if u.claim.id == "b")
    assert u.status == "outside_hint" and u.mapped_as == "approximate area in Badghis"
    text = r.summary()
    assert "Places outside their row's admin unit (1)" in text and "Ghazni" in text


def test_flagged_drafts_come_first_and_outliers_are_marked(tmp_path, small_gazetteer):
    p = tmp_path / "drafts.csv"
    p.write_text(
        "id,place,time,status,actor,claimant,quote,country,admin1,confidence,flags,sentence_start\n"
        "a,Qala-e-Naw,2021-07-06,captured,Taliban,MP,The Taliban captured the city on Tuesday.,AF,Badghis,0.9,,0\n"
        "b,Bala Murghab,2021-07-06,captured,Taliban,MP,Fighters took the district centre.,AF,Badghis,0.8,,40\n"
        "c,Badghis,2021-07-06,contested,Taliban,MP,Fighting went on across the province.,AF,,0.8,,80\n"
        "d,Dushanbe,2021-07-07,controlled,Taliban,it,It said the group held the town.,,,0.3,"
        "place_outside_article_countries;speaker_unresolved,120\n",
        encoding="utf-8",
    )
    r = build_map([p], gazetteer=small_gazetteer, output=tmp_path / "m.html")
    lines = r.summary().splitlines()
    assert lines[0].startswith("Draft claims flagged by the extractor (1)")
    assert lines[1].startswith("  drafts.csv row 4: 'Dushanbe' [place_outside_article_countries; speaker_unresolved]")
    assert '"It said the group held the town."' in lines[1]
    d = _place(r, "d")
    assert any("flagged by the extractor" in w and "row 4" in w for w in d.warnings)
    assert [o.place_key for o in r.outliers] == [d.key]  # far from Badghis and the only place in Tajikistan
    assert any(w.startswith("Possible misplacement") for w in d.warnings)
    assert _place(r, "a").warnings == ()
    assert lines.index(next(x for x in lines if x.startswith("Outliers (1)"))) > 1


KHERSON = REPO / "tests" / "fixtures" / "kherson-2022-trust.csv"
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"


@pytest.fixture(scope="module")
def ua_gazetteer(tmp_path_factory):
    """An index of Ukraine only (built once for this module, ~10 s): the Kherson claims' places."""
    from gazetteer import Gazetteer
    from gazetteer.build import build_index
    from gazetteer.resolver import INDEX_FILENAME

    folder = tmp_path_factory.mktemp("gazetteer-ua")
    build_index(folder / INDEX_FILENAME, countries=["UA"])
    gz = Gazetteer.open(folder, build=False)
    yield gz
    gz.close()


def test_kherson_sides_come_from_the_actors_and_the_places_country(ua_gazetteer):
    prep = prepare_state(KHERSON, gazetteer=ua_gazetteer)
    assert len(prep.placed) == len(prep.claims) == 12 and not prep.unresolved and not prep.outliers
    actor = {e.claim.id: e.actor for e in prep.timeline.entries if e.derived_from is None}
    assert actor["k02"] == "Government of Russia"  # "Russian forces" about a Ukrainian city
    assert actor["k07"] == "Government of Ukraine"  # "Government" qualified by the place's country
    assert actor["k05"] == actor["k08"] == "Government of Ukraine"  # "Ukrainian army"
    assert actor["k09"] == "Wagner Group"
    assert actor["k11"] == "Dnipro River Volunteer Group"  # unknown: kept under its own name
    sides = dict(prep.timeline.claimants())
    # A foreign ministry speaks for its own government, never for the place's "Government".
    assert sides["Russian Defence Ministry"] == sides["Russian-installed governor"] == "Government of Russia"
    assert sides["Ukrainian General Staff"] == sides["Ukrainian Defence Ministry"] == "Government of Ukraine"
    assert sides["Local Telegram channel"] == ""  # independent / other
    assert not {"Government", "Taliban"} & (set(actor.values()) | set(sides.values()))
    # The legend lists only the actors used, each in its own colour.
    legend = prep.actors.used()
    assert [a.name for a in legend] == ["Government of Russia", "Government of Ukraine", "Wagner Group",
                                        "Dnipro River Volunteer Group"]
    assert len({a.colour for a in legend}) == 4
    assert [(u.name, u.rows) for u in prep.unknown_actors] == [
        ("Dnipro River Volunteer Group", ("kherson-2022-trust.csv row 11",))]
    line = str(prep.unknown_actors[0])
    assert line == (f"unknown actor 'Dnipro River Volunteer Group' (kherson-2022-trust.csv row 11): drawn in "
                    f"{legend[3].colour}; add it with --actors FILE")


def test_the_afghan_example_names_the_government_it_means(small_gazetteer):
    prep = prepare_state(EXAMPLE, gazetteer=small_gazetteer)
    assert len(prep.placed) == len(prep.claims) and not prep.outliers and not prep.unknown_actors
    names = {a.name for a in prep.actors.used()}
    assert "Government of Afghanistan" in names and "Government" not in names
    assert "Government" not in {e.actor for e in prep.timeline.entries}


def test_a_hint_that_is_no_known_unit_is_said_in_the_popup(tmp_path, small_gazetteer):
    src = _write(tmp_path, ["a,Qala-e-Naw,2021-07-06,captured,Taliban,MP,q,,AF,Nowhereprovqq,,,"])
    r = build_map([src], gazetteer=small_gazetteer, output=tmp_path / "m.html")
    a = _place(r, "a")
    assert a.gazetteer_id == "geonames:1129867"  # placed without the hint ...
    assert any("'Nowhereprovqq' is not a unit the gazetteer knows" in w for w in a.warnings)  # ... and it says so


def test_row_coordinates_far_from_the_named_town_do_not_link_it(tmp_path, small_gazetteer):
    src = _write(tmp_path, [
        "near,Qala-e-Naw,2021-07-06,captured,Taliban,MP,q,,,,,35.0,63.2",   # ~15 km from the town: linked
        "far,Qala-e-Naw,2021-07-06,captured,Taliban,MP,q,,,,,31.55,74.35",  # ~1,000 km away: a namesake
    ])
    r = build_map([src], gazetteer=small_gazetteer, output=tmp_path / "m.html")
    assert _place(r, "near").gazetteer_id == "geonames:1129867"
    far = _place(r, "far")
    assert far.gazetteer_id == "" and (far.lat, far.lon) == (31.55, 74.35)  # drawn where the row says
    u = next(u for u in r.unresolved if u.claim.id == "far")
    assert (u.status, u.mapped_as) == ("not_linked", "coordinates from the row") and "km from the row's coordinates" in u.message


def test_a_unit_named_with_its_own_admin_hint_is_the_unit(tmp_path, small_gazetteer):
    # "Kunduz province" with admin1 Kunduz is the province itself, not the city of Kunduz inside it.
    src = _write(tmp_path, [
        "a,Kunduz province,2021-07-06,captured,Taliban,MP,q,,AF,Kunduz,,,",
        "b,Kunduz province,2021-07-06,captured,Taliban,MP,q,,AF,,,,",
        "c,Kunduz,2021-07-06,captured,Taliban,MP,q,,AF,Kunduz,,,",
    ])
    r = build_map([src], gazetteer=small_gazetteer, output=tmp_path / "m.html")
    assert _place(r, "a").key == _place(r, "b").key and _place(r, "a").kind == "admin1"
    assert _place(r, "c").kind == "populated_place"  # a bare name inside its province is the city
