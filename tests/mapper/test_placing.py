"""Claim -> place: ``conflictmap map`` and ``conflictmap geocode`` put the same row in the same place.

Both go through :class:`gazetteer.placing.RowPlacer`. The rows cover each branch of the policy:
a town inside its province, a namesake only outside it (falls back to the province), a name the
gazetteer does not know (falls back), a name equal to its province ("Samangan" with admin1
Samangan: the province itself), "<name> province", an ambiguous name, a hint that is no known
unit, and a row with nothing to fall back to.
"""

from __future__ import annotations

import csv
import io

from gazetteer.placing import OUTSIDE_HINT, RowPlacer
from gazetteer.table import geocode_csv
from mapper.state import prepare_state

ROWS = [
    # place, country, admin1, admin2
    ("Qala-e-Naw", "AF", "Badghis", ""),
    ("Muqur", "AF", "Badghis", ""),
    ("Muqur", "AF", "Ghazni", ""),
    ("Zzqxvillage", "Afghanistan", "Badghis", ""),
    ("Samangan", "AF", "Samangan", ""),
    ("Kandahar province", "AF", "Kandahar", ""),
    ("Khaniqa", "AF", "Jowzjan", ""),
    ("Gardiz", "Afghanistan", "Paktya", ""),
    ("Qala-e-Naw", "AF", "Nowhereprovqq", ""),
    ("Nowhereqq", "", "", ""),
]


def _geocoded(gz) -> list:
    table = io.StringIO()
    w = csv.writer(table)
    w.writerow(["location", "country", "admin1", "admin2"])
    w.writerows(ROWS)
    out = io.StringIO()
    geocode_csv(io.StringIO(table.getvalue()), out, gz, place_column="location", country_column="country",
                admin1_column="admin1", admin2_column="admin2")
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _mapped(gz, tmp_path) -> list:
    """(gazetteer id of the place, or of the unit an approximate area lies in; "fallback"/"place"/"")."""
    path = tmp_path / "claims.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "place", "time", "status", "claimant", "country", "admin1", "admin2"])
        for i, (place, country, admin1, admin2) in enumerate(ROWS):
            w.writerow([f"c{i}", place, "2021-07-07", "controlled", "Someone", country, admin1, admin2])
    state = prepare_state([path], gazetteer=gz)
    where = {c.id: key for c, key in state.placed}
    out = []
    for i in range(len(ROWS)):
        key = where.get(f"c{i}")
        if key is None:
            out.append(("", ""))
            continue
        p = state.timeline.places[key]
        out.append((p.gazetteer_id, "place") if p.gazetteer_id else (p.parent_key, "fallback"))
    return out


def test_geocode_and_map_put_the_same_row_in_the_same_place(small_gazetteer, tmp_path):
    geocoded = _geocoded(small_gazetteer)
    mapped = _mapped(small_gazetteer, tmp_path)
    assert len(geocoded) == len(mapped) == len(ROWS)
    for row, g, (place_id, how) in zip(ROWS, geocoded, mapped):
        assert g["geo_id"] == place_id, (row, g["geo_id"], g["geo_status"], place_id, how)
        assert (g["geo_status"] == "fallback") == (how == "fallback"), (row, g["geo_status"], how)
    # The rows do reach every branch (else the agreement above proves little).
    statuses = [g["geo_status"] for g in geocoded]
    assert {"resolved", "fallback", "not_found"} <= set(statuses)
    assert mapped[0][1] == "place" and mapped[1][1] == "fallback" and mapped[-1] == ("", "")


def test_a_namesake_outside_the_row_unit_is_outside_hint_with_the_unit_to_fall_back_to(small_gazetteer):
    p = RowPlacer(small_gazetteer).place("Muqur", country="AF", admin1="Badghis")
    assert p.place is None and p.unresolved.status == OUTSIDE_HINT
    assert p.fallback.name == "Badghis" and p.fallback_kind == "admin1"
    assert "Ghazni" in p.unresolved.message


def test_an_unknown_hint_is_recorded_not_dropped(small_gazetteer):
    p = RowPlacer(small_gazetteer).place("Qala-e-Naw", country="AF", admin1="Nowhereprovqq")
    assert p.place is not None and p.fallback is None
    assert [(h.kind, h.name) for h in p.ignored] == [("admin1", "Nowhereprovqq")]


def test_a_registered_format_s_precision_codes_set_the_approximate_area(small_gazetteer, tmp_path):
    """The map path asks the formats registry for the radius of a precision code: a format added
    from outside the package (here in the test) gets its areas without any change to placing."""
    from mapper.claims import ClaimsFormat, cells, register_format
    from mapper.claims.formats import unregister_format
    from mapper.model import Claim, Origin

    def build(rec, extra, ctx):
        lat, lon = cells.lat_lon(rec.get("y"), rec.get("x"), "", ctx)
        return Claim(place=cells.text(rec.get("site"), "site", ctx), time=cells.time_span(rec.get("day"), "day", None, ctx),
                     status="attacked", id=f"{ctx.stem}-{ctx.row}", claimant="Survey team", lat=lat, lon=lon,
                     location_precision=cells.whole_number(rec.get("grid"), "grid"),
                     origin=Origin(ctx.path, ctx.row, ctx.format))

    survey = ClaimsFormat(name="survey-grid", description="survey sites on a coarse grid", build=build,
                          columns=frozenset({"site", "day", "y", "x", "grid"}), requires=("site", "day", "grid"),
                          precision_radius={9: 40_000.0})
    path = tmp_path / "survey.csv"
    path.write_text("site,day,y,x,grid\nZzqx outpost,2021-07-07,34.1,64.2,9\nZzqy outpost,2021-07-07,34.3,64.5,1\n",
                    encoding="utf-8")
    register_format(survey)
    try:
        state = prepare_state([path], gazetteer=small_gazetteer)
    finally:
        unregister_format("survey-grid")
    places = {c.place: state.timeline.places[key] for c, key in state.placed}
    coarse, exact = places["Zzqx outpost"], places["Zzqy outpost"]
    assert (coarse.drawn_as, coarse.radius_m) == ("approximate", 40_000.0)
    assert "precision code 9" in coarse.note
    assert exact.drawn_as == "point" and not exact.radius_m
