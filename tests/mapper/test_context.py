"""mapper.context: the locator context built for a map's frame (no browser)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mapper import context as ctx
from mapper.render.style import load_style

BLACK_SEA_FRAME = (28.0, 42.0, 40.0, 50.0)


@dataclass(frozen=True)
class _Claimed:
    name: str
    lat: float
    lon: float
    gazetteer_id: str = ""


@pytest.fixture(scope="module")
def black_sea():
    return ctx.build_context(None, BLACK_SEA_FRAME)


def test_min_zoom_follows_the_style_table():
    tiers = load_style().data["context"]["min_zoom"]["city"]
    capital = next(t["zoom"] for t in tiers if t.get("capital"))
    assert ctx.label_min_zoom("city", population=10, capital=True) == capital
    # Bigger towns never appear later than smaller ones.
    zooms = [ctx.label_min_zoom("city", population=p) for p in (10_000_000, 2_000_000, 400_000, 150_000, 50_000, 1_000)]
    assert zooms == sorted(zooms) and zooms[0] < zooms[-1]
    assert ctx.label_min_zoom("sea", feature="OCN") < ctx.label_min_zoom("sea", feature="SEA") < ctx.label_min_zoom("sea", feature="GULF")


def test_min_zoom_reads_the_table_not_constants(monkeypatch):
    monkeypatch.setattr(ctx, "_tiers", lambda kind: [{"min_population": 100, "zoom": 11}, {"zoom": 13}])
    assert ctx.label_min_zoom("city", population=500) == 11
    assert ctx.label_min_zoom("city", population=5) == 13


def test_sea_candidates_lie_in_the_water(black_sea):
    import shapely

    land = shapely.union_all([g for kind, _p, g in ctx._features() if kind == "land"])
    seas = {lab.name: lab for lab in black_sea.labels if lab.kind == "sea"}
    assert {"Black Sea", "Sea of Azov"} <= set(seas)
    pts = [shapely.Point(c.lon, c.lat) for c in seas["Black Sea"].candidates]
    assert len(pts) > 20
    assert sum(land.contains(p) for p in pts) == 0
    # Azov's candidates are north-east of the Kerch strait, the Black Sea's mostly south-west of it.
    azov = seas["Sea of Azov"].candidates
    assert min(c.lat for c in azov) > 44.9 and min(c.lon for c in azov) > 34.5


def test_rivers_and_lakes_are_clipped_and_named(black_sea):
    from shapely.geometry import box

    frame = box(*BLACK_SEA_FRAME).buffer(1e-6)
    assert all(frame.contains(g) for _n, g in black_sea.rivers + black_sea.lakes)
    named = {lab.name for lab in black_sea.labels if lab.kind in ("river", "lake")}
    assert {"Dnipro", "Danube"} <= named
    river = next(lab for lab in black_sea.labels if lab.name == "Dnipro")
    assert all(-90 <= c.angle <= 90 for c in river.candidates)


def test_world_land_stays_outside_the_frame(black_sea):
    from shapely.geometry import box

    inner = box(*BLACK_SEA_FRAME).buffer(-0.01)
    assert black_sea.land and not any(g.intersects(inner) for g in black_sea.land)


def test_every_country_has_a_label_and_frame_countries_get_candidates_inside():
    from shapely.geometry import Polygon

    square = Polygon([(30, 44), (36, 44), (36, 49), (30, 49)])
    c = ctx.build_context(None, BLACK_SEA_FRAME, outlines=[("Ukraine", "country", square)])
    ua = next(lab for lab in c.labels if lab.kind == "country" and lab.name == "Ukraine")
    inside = [p for p in ua.candidates[1:]]
    assert len(inside) > 10 and all(30 < p.lon < 36 and 44 < p.lat < 49 and p.depth > 0 for p in inside)
    assert len({lab.name for lab in c.labels if lab.kind == "country"}) > 200  # the world view names them too


def test_towns_leave_out_claimed_places_and_suburbs(small_gazetteer):
    frame = (60.0, 29.0, 75.0, 39.0)
    free = ctx.build_context(small_gazetteer, frame)
    names = [lab.name for lab in free.labels if lab.kind in ("capital", "city")]
    assert names[0] == "Kabul"  # capitals first, then by population
    assert next(lab for lab in free.labels if lab.name == "Kabul").kind == "capital"
    claimed = ctx.build_context(small_gazetteer, frame, claimed=[_Claimed("Kabul", 34.53, 69.17)])
    assert "Kabul" not in {lab.name for lab in claimed.labels if lab.kind in ("capital", "city")}
    # No two kept towns closer than SUBURB_KM where one is SUBURB_RATIO times the other.
    from gazetteer import haversine_km

    pts = [(lab.rank, lab.candidates[0]) for lab in free.labels if lab.kind in ("capital", "city")]
    for pa, a in pts:
        for pb, b in pts:
            if pa >= ctx.SUBURB_RATIO * pb > 0:
                assert haversine_km(a.lat, a.lon, b.lat, b.lon) >= ctx.SUBURB_KM


def test_page_carries_the_context_within_budget(small_gazetteer, tmp_path):
    from pathlib import Path

    from mapper.render.html import render_html
    from mapper.state import MapOptions, prepare_state

    example = Path(__file__).resolve().parents[2] / "examples" / "qala-e-naw-2021" / "claims.csv"
    state = prepare_state([example], gazetteer=small_gazetteer, options=MapOptions())
    assert state.context is not None
    html, report = render_html(state)
    assert report.bytes < 1_800_000
    assert '"context":' in html and "Land, rivers, lakes: Natural Earth" in html


def test_a_country_is_named_in_its_largest_part():
    from shapely.geometry import MultiPolygon, Polygon

    mainland = Polygon([(36, 45), (40, 45), (40, 49), (36, 49)])
    peninsula = Polygon([(32.5, 44.5), (35.5, 44.5), (35.5, 46), (32.5, 46)])
    c = ctx.build_context(None, BLACK_SEA_FRAME, outlines=[("Russia", "country", MultiPolygon([mainland, peninsula]))])
    ru = next(lab for lab in c.labels if lab.kind == "country" and lab.name == "Russia")
    framed = [p for p in ru.candidates if 28 < p.lon < 40 and 42 < p.lat < 50]
    assert framed and all(p.lon > 36 for p in framed)


def test_a_page_over_budget_thins_the_context_first(small_gazetteer):
    from pathlib import Path

    from mapper.render.html import render_html
    from mapper.state import MapOptions, prepare_state

    example = Path(__file__).resolve().parents[2] / "examples" / "qala-e-naw-2021" / "claims.csv"
    state = prepare_state([example], gazetteer=small_gazetteer, options=MapOptions())
    _, full = render_html(state)
    # Whatever the budget, the page ends within it here (estimate first, then the second, lean pass).
    _, fitted = render_html(state, budget=full.bytes - 20_000)
    assert fitted.bytes <= full.bytes - 20_000
    # The second pass itself (what render_html runs when the written page is over budget).
    html, lean = render_html(state, _lean="basemap thinned (test)")
    assert lean.bytes < full.bytes - 20_000
    assert lean.actions[0] == "basemap thinned (test)"
    assert lean.claims == full.claims and "basemap thinned (test)" in html  # recorded in the page's metadata
    towns = ctx.lean_context(state.context).labels
    assert all(lab.min_zoom <= ctx.LEAN_MAX_TOWN_ZOOM for lab in towns if lab.kind in ("city", "capital"))


def test_zoom_for_extent_matches_leaflet_scale():
    assert ctx.zoom_for_extent(-180, 180, 256) == 0
    # Half the width in degrees, or twice the pixels: one zoom level more; across the antimeridian too.
    assert ctx.zoom_for_extent(0, 90, 512) - ctx.zoom_for_extent(0, 180, 512) == pytest.approx(1)
    assert ctx.zoom_for_extent(170, -170, 600) == pytest.approx(ctx.zoom_for_extent(0, 20, 600))
