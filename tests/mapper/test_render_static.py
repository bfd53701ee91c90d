"""Static maps: size and DPI as asked, not blank, text as text, hatching where claims conflict, no overlaps."""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest
from shapely.geometry import Polygon, box

pytest.importorskip("matplotlib")
from map_samples import (
    DISTRICTS,
    badghis_children,
    badghis_places,
    claim,
    qala_claims,
    ts,
)
from PIL import Image

from mapper.errors import OutputExists, RenderError
from mapper.render.static import (
    LonLatBox,
    clean_text,
    panel_times,
    render_static,
)
from mapper.render.static.scalebar import nice_km
from mapper.state import MapState
from mapper.timeline import MapPlace, Timeline

UTC = timezone.utc
AFGHANISTAN = box(60.5, 29.4, 74.9, 38.5)
ATTRIBUTION = (
    "Places: GeoNames (geonames.org), CC BY 4.0",
    "Boundaries: Natural Earth (naturalearthdata.com)",
)
#: 7 Jul 2021 06:00 UTC: Taliban claims on the city and province, the Defence Ministry says fighting.
T_DISPUTED = datetime(2021, 7, 7, 6, 0, tzinfo=UTC)


def _state(claims=None, places=None, children=None, at=T_DISPUTED, title="Qala-e-Naw, July 2021"):
    tl = Timeline(
        claims if claims is not None else qala_claims(),
        places or badghis_places(),
        children=badghis_children() if children is None else children,
    )
    return MapState.from_timeline(
        tl,
        at=at,
        title=title,
        basemap=[("Afghanistan", "country", AFGHANISTAN)],
        attribution=ATTRIBUTION,
    )


@pytest.fixture(scope="module")
def state():
    return _state()


@pytest.fixture(scope="module")
def svg_text(state):
    buf = io.BytesIO()
    render_static(state, buf, fmt="svg", width=800, dpi=100)
    return buf.getvalue().decode("utf-8")


def _texts(svg: str) -> list:
    root = ET.fromstring(svg)  # well-formed XML or this raises
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_png_has_the_size_and_dpi_asked_and_is_not_blank(state, tmp_path):
    out = tmp_path / "map.png"
    report = render_static(state, out, width=640, dpi=150)
    img = Image.open(out)
    assert img.size == (640, report.height_px)
    assert 400 < report.height_px < 1200
    dpi = img.info.get("dpi")
    assert dpi and abs(dpi[0] - 150) < 0.5 and abs(dpi[1] - 150) < 0.5
    rgb = img.convert("RGB")
    colours = rgb.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50, "a drawn map has many colours (anti-aliasing, fills, text)"
    dominant = max(colours)[0] / (img.size[0] * img.size[1])
    assert dominant < 0.6, "no single colour covers most of the image"
    # Districts held by the Taliban (all districts, per the province claim): Okabe-Ito vermillion #D55E00
    # at 62% over the land colour #F6F3EC, as the interactive map fills them.
    fill = tuple(round(0.62 * c + 0.38 * l) for c, l in zip((0xD5, 0x5E, 0x00), (0xF6, 0xF3, 0xEC)))
    near = sum(n for n, c in colours if all(abs(a - b) <= 3 for a, b in zip(c, fill)))
    assert near > 0.1 * img.size[0] * img.size[1]
    assert report.bytes == out.stat().st_size


def test_width_and_dpi_change_resolution_not_layout(state):
    small = render_static(state, io.BytesIO(), fmt="png", width=600, dpi=100)
    big = render_static(state, io.BytesIO(), fmt="png", width=1200, dpi=200)
    assert big.width_px == 1200 and small.width_px == 600
    assert abs(big.height_px / big.width_px - small.height_px / small.width_px) < 0.01


def test_svg_keeps_text_as_text_with_title_legend_and_credits(svg_text):
    texts = _texts(svg_text)
    joined = "\n".join(texts)
    assert "Qala-e-Naw, July 2021" in texts
    assert "Controlled by Taliban" in texts and "Controlled by Government of Afghanistan" in texts
    assert "Disputed: claims disagree" in texts and any(t.startswith("Contested") for t in texts)
    assert "Status as of" in texts and "7 Jul 2021, 06:00 UTC" in texts
    assert "Places: GeoNames (geonames.org), CC BY 4.0" in joined
    assert re.search(r"^\d+(\.\d+)? km$", joined, re.MULTILINE), "scale bar label"
    # Labels of the places with claims.
    assert "Qala-e-Naw" in texts and "Badghis" in texts
    # No glyph outlines (svg.fonttype none), no scripts, no event handlers.
    assert "<script" not in svg_text and not re.search(r"\son\w+\s*=", svg_text)
    assert "DejaVuSans-" not in svg_text
    assert "font-family: 'DejaVu Sans', Verdana" in svg_text


def test_hostile_text_is_drawn_literally(tmp_path):
    title = 'Gains of $5 million$ <script>alert(1)</script> & "more"\x00\x1b'
    st = _state(title=title)
    buf = io.BytesIO()
    render_static(
        st, buf, fmt="svg", width=600, dpi=100, subtitle="$\\alpha$ </text><svg onload=alert(1)>"
    )
    svg = buf.getvalue().decode("utf-8")
    joined = " ".join(_texts(svg))  # long titles wrap onto several text elements
    assert 'Gains of $5 million$ <script>alert(1)</script> & "more"' in joined, (
        "no mathtext, markup kept as text"
    )
    assert "$\\alpha$ </text><svg onload=alert(1)>" in joined
    assert "<script" not in svg and "<svg onload" not in svg
    assert clean_text("a\x00b\x1bc") == "a b c"


def _crop_colours(img, xy, half=9):
    x, y = (int(round(v)) for v in xy)
    crop = img.convert("RGB").crop((x - half, y - half, x + half, y + half))
    return crop.getcolors(maxcolors=4096)


def _stripe_share(colours, rgb, tol=40) -> float:
    total = sum(n for n, _ in colours)
    hit = sum(n for n, c in colours if all(abs(a - b) <= tol for a, b in zip(c, rgb)))
    return hit / total


def test_contested_and_disputed_units_are_hatched_controlled_is_not():
    """Pixels inside each district: stripes (two colours alternating) only where claims conflict."""
    places = badghis_places()
    t = datetime(2021, 7, 7, 12, tzinfo=UTC)
    d = DISTRICTS
    claims = [
        (
            claim(
                "Ab Kamari",
                ts(2021, 7, 7, 10),
                "controlled",
                actor="Taliban",
                claimant="Taliban spokesman",
            ),
            d[1],
        ),
        (
            claim(
                "Ghormach", ts(2021, 7, 7, 10), "contested", actor="Taliban", claimant="Governor"
            ),
            d[2],
        ),
        (
            claim(
                "Jawand",
                ts(2021, 7, 7, 10),
                "controlled",
                actor="Taliban",
                claimant="Taliban spokesman",
            ),
            d[3],
        ),
        (
            claim(
                "Jawand",
                ts(2021, 7, 7, 11),
                "controlled",
                actor="Government",
                claimant="Defence Ministry",
            ),
            d[3],
        ),
    ]
    st = MapState.from_timeline(
        Timeline(claims, places, children=badghis_children()),
        at=t,
        basemap=[("Afghanistan", "country", AFGHANISTAN)],
    )
    buf = io.BytesIO()
    report = render_static(st, buf, fmt="png", width=900, dpi=100, labels=False)
    img = Image.open(io.BytesIO(buf.getvalue()))
    anchors = report.anchors[0]
    vermillion, white = (0xD5, 0x5E, 0x00), (255, 255, 255)
    controlled = _crop_colours(img, anchors["Ab Kamari"])
    contested = _crop_colours(img, anchors["Ghormach"])
    disputed = _crop_colours(img, anchors["Jawand"])
    # Controlled: one flat fill (actor colour at 62% over the land colour), no white.
    assert _stripe_share(controlled, white, 8) == 0
    assert max(n for n, _ in controlled) / sum(n for n, _ in controlled) > 0.9
    # Contested: vermillion stripes on white, both well represented.
    assert 0.2 < _stripe_share(contested, vermillion) < 0.8
    assert 0.15 < _stripe_share(contested, white) < 0.8
    # Disputed: cross-hatch in the colours claimed (blue and vermillion) on white.
    blue = (0x00, 0x72, 0xB2)
    assert _stripe_share(disputed, blue) > 0.08 and _stripe_share(disputed, vermillion) > 0.08
    assert _stripe_share(disputed, white) > 0.1


def test_transparent_background_option(state):
    for transparent, alpha in ((True, 0), (False, 255)):
        buf = io.BytesIO()
        render_static(state, buf, fmt="png", width=500, dpi=100, transparent=transparent)
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGBA")
        assert img.getpixel((1, 1))[3] == alpha
        if not transparent:
            assert img.getpixel((1, 1))[:3] == (255, 255, 255)


def test_pdf_and_overwrite(state, tmp_path):
    out = tmp_path / "map.pdf"
    render_static(state, out, width=800, dpi=100)
    assert out.read_bytes()[:5] == b"%PDF-"
    with pytest.raises(OutputExists):
        render_static(state, out)
    render_static(state, out, overwrite=True)
    with pytest.raises(RenderError, match="png, svg, pdf"):
        render_static(state, tmp_path / "map.gif")
    with pytest.raises(RenderError, match="width"):
        render_static(state, io.BytesIO(), fmt="png", width=50)


def test_labels_never_overlap_and_crowded_ones_are_hidden():
    places = badghis_places()
    claims = []
    # Twenty towns within a few km of each other: they cannot all be labelled.
    for i in range(20):
        key = f"town:{i}"
        places[key] = MapPlace(
            key,
            f"Town number {i}",
            "populated_place",
            "point",
            35.0 + 0.01 * (i % 5),
            63.5 + 0.012 * (i // 5),
        )
        claims.append(
            (
                claim(
                    f"Town number {i}",
                    ts(2021, 7, 7, 10),
                    "controlled",
                    actor="Taliban",
                    claimant="Taliban spokesman",
                    row=i + 1,
                ),
                key,
            )
        )
    st = MapState.from_timeline(
        Timeline(claims, places),
        at=datetime(2021, 7, 7, 12, tzinfo=UTC),
        basemap=[("Afghanistan", "country", AFGHANISTAN)],
    )
    report = render_static(st, io.BytesIO(), fmt="png", width=600, dpi=100)
    boxes = report.label_boxes[0]
    assert report.labels_placed == len(boxes) >= 3
    assert report.labels_hidden >= 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]), (a, b)
    mx0, my0, mx1, my1 = report.map_boxes[0]
    for b in boxes:
        assert mx0 <= b[0] and b[2] <= mx1 and my0 <= b[1] and b[3] <= my1, (
            "labels stay inside the map"
        )


def test_scale_bar_length_matches_ground_distance(state):
    report = render_static(state, io.BytesIO(), fmt="png", width=800, dpi=100)
    ((km, bar_px),) = report.scalebar
    lon0, lat0, lon1, lat1 = report.extent
    # Ground distance across the map at the latitude of its (Mercator) centre.
    y0 = math.log(math.tan(math.pi / 4 + math.radians(lat0) / 2))
    y1 = math.log(math.tan(math.pi / 4 + math.radians(lat1) / 2))
    lat_c = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2)) - math.pi / 2)
    width_km = 6371.0088 * math.radians(lon1 - lon0) * math.cos(math.radians(lat_c))
    mx0, _, mx1, _ = report.map_boxes[0]
    km_per_px = width_km / (mx1 - mx0)
    assert abs(bar_px * km_per_px - km) / km < 0.02
    assert km == nice_km(km) and str(km)[0] in "125"


def test_extent_bbox_is_shown(state):
    bbox = LonLatBox(min_lon=62.5, min_lat=34.0, max_lon=65.0, max_lat=36.0)
    report = render_static(state, io.BytesIO(), fmt="png", width=600, dpi=100, extent=bbox)
    lon0, lat0, lon1, lat1 = report.extent
    assert lon0 <= 62.5 and lat0 <= 34.0 and lon1 >= 65.0 and lat1 >= 36.0
    assert lon1 - lon0 < 2.5 * 2.5, "the view is not much larger than asked"


@pytest.mark.parametrize(
    "values, message",
    [
        ((65, 34, 62, 36), "min must be less than max"),
        ((62, 36, 65, 34), "min must be less than max"),
        ((62, 34, 65, 89), "latitudes 34.0 and 89.0 are not both in -85..85"),
        ((-181, 34, 65, 36), "longitudes -181.0 and 65.0"),
        ((62, 34, float("inf"), 36), "not finite"),
        ((62, 34, float("nan"), 36), "not finite"),
    ],
)
def test_lonlat_box_refuses_impossible_areas(values, message):
    with pytest.raises(ValueError, match=message):
        LonLatBox(*values)


def test_extent_must_be_a_lonlat_box(state):
    """A bare tuple is refused with the fix: its axis order is not written anywhere."""
    with pytest.raises(RenderError, match="LonLatBox"):
        render_static(state, io.BytesIO(), fmt="png", width=600, extent=(62.5, 34.0, 65.0, 36.0))


def test_default_extent_covers_the_places_with_claims(state):
    report = render_static(state, io.BytesIO(), fmt="png", width=600, dpi=100)
    lon0, lat0, lon1, lat1 = report.extent
    # Badghis sample box 62.9-64.4 E, 34.5-35.7 N, padded.
    assert lon0 < 62.9 and lon1 > 64.4 and lat0 < 34.5 and lat1 > 35.7
    assert lon1 - lon0 < 4


def test_small_multiples_share_one_legend(state):
    buf = io.BytesIO()
    report = render_static(state, buf, fmt="svg", panels=3, dpi=100)
    assert len(report.times) == 3 and list(report.times) == sorted(report.times)
    assert len(report.map_boxes) == 3
    assert report.width_px == 2 * (3 * 300 + 2 * 12 + 28)
    texts = _texts(buf.getvalue().decode("utf-8"))
    assert texts.count("Controlled by Taliban") == 1, "one shared legend"
    panel_titles = [t for t in texts if re.fullmatch(r"\d{1,2} \w{3} 2021, \d\d:\d\d UTC", t)]
    assert len(panel_titles) == 3
    # Given times are used as they are.
    steps = [datetime(2021, 7, 6, 12, tzinfo=UTC), datetime(2021, 7, 7, 12, tzinfo=UTC)]
    rep2 = render_static(state, io.BytesIO(), fmt="png", times=steps, width=900, dpi=100)
    assert list(rep2.times) == steps and rep2.width_px == 900


def test_panel_times_are_distinct_steps_ending_at_the_opening_time(state):
    tl = state.timeline
    times = panel_times(tl, 3)
    assert len(times) == 3 and len(set(times)) == 3
    assert times[-1] == tl.default_time()
    assert times[0] == min(e.start for e in tl.entries)
    steps = set(tl.steps())
    assert all(t in steps for t in times)
    # Neighbouring panels never show the same map.
    keys = list(state.keys)
    maps = [tuple((a.status, a.actor) for a in (tl.state_at(k, t) for k in keys)) for t in times]
    assert all(a != b for a, b in zip(maps, maps[1:]))
    # A timeline with one state only gives one panel, not copies of it.
    one = Timeline([qala_claims()[1]], badghis_places())
    assert len(panel_times(one, 4)) == 1
    assert panel_times(tl, 50) == sorted(
        set(panel_times(tl, 50))
    )  # never more than the distinct steps
    assert panel_times(Timeline([], {}), 3) == []
    with pytest.raises(ValueError):
        panel_times(tl, 0)


def test_nothing_to_draw_still_renders_an_empty_map():
    st = MapState.from_timeline(Timeline([], {}), basemap=[("Afghanistan", "country", AFGHANISTAN)])
    buf = io.BytesIO()
    report = render_static(st, buf, fmt="svg", width=600, dpi=100)
    assert report.times == ()
    assert "Reported control" in _texts(buf.getvalue().decode("utf-8"))


# ------------------------------------------------------------------ legibility, labels, markers, files
# A war other than the seed's: Sudan 2023 (hand-made boxes, not real boundaries), SAF and RSF claims.
SUDAN = box(22.0, 9.0, 38.0, 22.0)
KHARTOUM_STATE = box(31.8, 15.0, 34.4, 16.6)
#: A small province (0.4 x 0.4 degrees, about 43 x 43 km) around one town.
SMALL_STATE = box(29.0, 13.0, 29.4, 13.4)
SUDAN_TOWNS = {
    "Khartoum": (32.53, 15.59),
    "Omdurman": (32.48, 15.64),
    "Bahri": (32.55, 15.65),
    "Soba": (32.65, 15.52),
    "Kafouri": (32.60, 15.69),
    "Shambat": (32.52, 15.67),
    "El Kalakla": (32.50, 15.47),
    "Jebel Aulia": (32.48, 15.24),
    "El Fasher": (25.35, 13.63),
    "Wad Madani": (33.52, 14.40),
    "Um Rawaba": (29.20, 13.20),  # inside SMALL_STATE
}


def _sudan_state(statuses=None, *, at=datetime(2023, 6, 1, tzinfo=UTC), title="Sudan, 2023"):
    places = {
        "country:SD": MapPlace("country:SD", "Sudan", "country", "unit", 15.5, 30.0, geometry=SUDAN),
        "admin1:SD-KH": MapPlace(
            "admin1:SD-KH", "Khartoum State", "admin1", "unit", 15.8, 33.1, geometry=KHARTOUM_STATE
        ),
        "admin1:SD-SM": MapPlace(
            "admin1:SD-SM", "Small State", "admin1", "unit", 13.2, 29.2, geometry=SMALL_STATE
        ),
    }
    claims = []
    statuses = statuses or {}
    for i, (name, (lon, lat)) in enumerate(SUDAN_TOWNS.items()):
        key = f"geonames:{i}"
        places[key] = MapPlace(key, name, "populated_place", "point", lat, lon, country="Sudan")
        status, actor = statuses.get(name, ("controlled", "RSF" if i % 2 else "SAF"))
        claimant = "RSF media office" if actor == "RSF" else "SAF spokesman"
        claims.append((claim(name, ts(2023, 5, 20 + i % 5, 9), status, actor=actor, claimant=claimant), key))
    claims.append(
        (claim("Khartoum State", ts(2023, 5, 25), "contested", actor="RSF", claimant="SAF spokesman"),
         "admin1:SD-KH")
    )
    tl = Timeline(claims, places)
    return MapState.from_timeline(
        tl, at=at, title=title, basemap=[("Sudan", "country", SUDAN)], attribution=ATTRIBUTION
    )


def _metres_per_px(report) -> float:
    """Projected metres per pixel of the (first) map panel."""
    from mapper.render.static.projection import lonlat_to_merc

    (x0, _), (x1, _) = lonlat_to_merc(report.extent[0], 0), lonlat_to_merc(report.extent[2], 0)
    bx0, _, bx1, _ = report.map_boxes[0]
    return (x1 - x0) / (bx1 - bx0)


def _capture_figures(monkeypatch) -> list:
    """Figures render_static saves (to inspect their text artists)."""
    from matplotlib.figure import Figure

    seen, original = [], Figure.savefig

    def savefig(self, *a, **kw):
        seen.append(self)
        return original(self, *a, **kw)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return seen


@pytest.mark.parametrize(
    "width, panels", [(600, None), (600, 3), (400, None), (1200, None)], ids=["600", "600x3", "400", "1200"]
)
def test_text_is_legible_at_small_widths(monkeypatch, width, panels):
    """Every text artist is at least 12 px (9 pt on a 96 px-per-inch screen) at the output's dpi."""
    figures = _capture_figures(monkeypatch)
    buf = io.BytesIO()
    dpi = 200
    report = render_static(_sudan_state(), buf, fmt="png", width=width, dpi=dpi, panels=panels)
    (fig,) = figures
    sizes = {
        t.get_text(): t.get_fontsize() * dpi / 72.0
        for ax in fig.axes
        for t in ax.texts
        if t.get_text().strip()
    }
    assert len(sizes) > 10  # title, labels, legend, credits, scale bar
    small = {k: round(v, 2) for k, v in sizes.items() if v < 12 - 1e-6}
    assert not small, small
    assert report.min_text_px == pytest.approx(min(sizes.values()), abs=0.01)
    assert Image.open(io.BytesIO(buf.getvalue())).size[0] == width


def test_labels_moved_away_from_their_place_have_a_leader_line():
    """A crowded city: labels that cannot sit next to their town are moved and get a leader line."""
    from mapper.render.static.labels import LEADER_GAP_U

    report = render_static(_sudan_state(), io.BytesIO(), fmt="png", width=600, dpi=100)
    scale = report.width_px / 600
    placements = report.labels[0]
    assert len(placements) >= 6
    leaders = [lp for lp in placements if lp.leader]
    assert leaders, "the crowded Khartoum towns need at least one moved label"
    for lp in placements:
        x0, y0, x1, y1 = lp.box
        if lp.distance_px > LEADER_GAP_U * scale + 0.5:
            assert lp.leader is not None, lp
        if lp.leader is None:
            continue
        (sx, sy), (ex, ey) = lp.leader
        # Starts on the label box's edge, ends at the place (the rim of a town's marker).
        on_edge = (min(abs(sx - x0), abs(sx - x1)) < 1.0 and y0 - 1 <= sy <= y1 + 1) or (
            min(abs(sy - y0), abs(sy - y1)) < 1.0 and x0 - 1 <= sx <= x1 + 1
        )
        assert on_edge, lp
        ax_, ay_ = lp.anchor
        radius_px = report.markers[0].get(lp.name, 0.0) / _metres_per_px(report)
        assert math.hypot(ex - ax_, ey - ay_) <= radius_px + scale + 1, lp
    boxes = [lp.box for lp in placements]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1])


def test_unit_labels_sit_inside_or_beside_their_shape():
    # The Khartoum towns' claims are incidents that have expired by 1 June (control claims would
    # still stand and their labels would crowd the state's out): the state's label is placed.
    incidents = {name: ("attacked", "RSF") for name in list(SUDAN_TOWNS)[:8]}
    report = render_static(_sudan_state(incidents), io.BytesIO(), fmt="png", width=1200, dpi=100)
    scale = report.width_px / 600
    by_name = {lp.name: lp for lp in report.labels[0]}
    lp = by_name["Khartoum State"]
    assert lp.distance_px <= 6 * scale or lp.leader is not None


def test_town_markers_scale_with_the_map_and_never_hide_a_province():
    from shapely.geometry import Point

    from mapper.render.static.paint import STYLE
    from mapper.render.static.projection import lonlat_to_merc, project_geometry

    # Country scale (about 1,700 km across): small markers, and the town in the small province
    # covers at most a quarter of it (at the page's fixed 7-9 px it would cover all of it).
    report = render_static(_sudan_state(), io.BytesIO(), fmt="png", width=600, dpi=100, labels=False)
    (x0, _), (x1, _) = lonlat_to_merc(report.extent[0], 0), lonlat_to_merc(report.extent[2], 0)
    extent_m = x1 - x0
    radii = report.markers[0]
    assert set(radii) == set(SUDAN_TOWNS)
    for name, r in radii.items():
        assert r / extent_m < 0.011, (name, r / extent_m)
    small_state = project_geometry(SMALL_STATE)
    town = Point(*lonlat_to_merc(*SUDAN_TOWNS["Um Rawaba"])).buffer(radii["Um Rawaba"], 64)
    assert not town.contains(small_state)
    assert town.area <= STYLE.data["point_scale"]["max_share_of_unit"] * small_state.area * 1.02
    # City scale (about 50 km): markers at the table's radius, as on the page.
    st = _sudan_state()
    city = render_static(
        st, io.BytesIO(), fmt="png", width=600, dpi=100, labels=False,
        extent=LonLatBox(min_lon=32.3, min_lat=15.4, max_lon=32.8, max_lat=15.8),
    )
    per_u = _metres_per_px(city) * (city.width_px / 600)
    for i, name in enumerate(["Khartoum", "Omdurman", "Bahri"]):
        status = st.timeline.state_at(f"geonames:{i}", st.at).status
        expected = STYLE.point_style(status).radius * per_u
        assert city.markers[0][name] == pytest.approx(expected, rel=0.01), (name, status)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
@pytest.mark.parametrize("suffix", ["png", "svg", "pdf"])
def test_files_are_written_with_the_users_umask(tmp_path, umask, mode, suffix):
    import os

    old = os.umask(umask)
    try:
        out = tmp_path / f"map.{suffix}"
        render_static(_sudan_state(), out, width=400, dpi=72, labels=False)
    finally:
        os.umask(old)
    assert os.stat(out).st_mode & 0o777 == mode
    assert [p.name for p in tmp_path.iterdir()] == [out.name], "no temporary file left behind"


def test_default_title_names_the_places_and_dates_like_the_html_map():
    from mapper.render.html import render_html
    from mapper.render.titles import default_title

    st = _sudan_state(title=None)
    assert st.title == default_title(st.timeline)
    assert st.title == "Khartoum, Omdurman and 10 other places: reported control, 20–25 May 2023"
    buf = io.BytesIO()
    render_static(st, buf, fmt="svg", width=900, dpi=100)
    texts = _texts(buf.getvalue().decode("utf-8"))
    assert st.title.startswith(texts[0]) and texts[0]
    page, _ = render_html(st)
    assert f"<title>{st.title}</title>" in page


def test_stale_states_fade_as_on_the_page():
    """--stale-after: the static map fades an old report by the rule table's factor and says how old it is."""
    from datetime import timedelta

    from mapper.render.static.paint import point_style, short_label

    places = {"p": MapPlace("p", "Nova Kakhovka", "populated_place", "point", 46.75, 33.37, country_code="UA")}
    held = claim("Nova Kakhovka", ts(2022, 3, 1, 9), "controlled", actor="Russian forces", claimant="Russian MoD")
    tl = Timeline([(held, "p")], places, stale_after=timedelta(days=30))
    fresh = tl.state_at("p", datetime(2022, 3, 5, tzinfo=timezone.utc))
    old = tl.state_at("p", datetime(2022, 6, 5, tzinfo=timezone.utc))
    assert (fresh.status, old.status) == ("controlled", "controlled") and old.stale and not fresh.stale
    k = tl.rules["stale"]["fill_opacity_factor"]
    assert point_style(tl, old).face_alpha == pytest.approx(point_style(tl, fresh).face_alpha * k)
    assert point_style(tl, old).face == point_style(tl, fresh).face  # same colour, lighter
    assert "ago" in short_label(old) and "ago" not in short_label(fresh)


# ------------------------------------------------------------------ invalid outlines, real errors
#: A self-intersecting "bow tie" (invalid): GEOS cannot cut it (TopologyException).
BOWTIE = Polygon([(30, 12), (34, 16), (34, 12), (30, 16), (30, 12)])


def _view_across_bowtie():
    """A view whose clip box cuts through BOWTIE (so the outline must be cut)."""
    from mapper.render.static.projection import MapView, lonlat_to_merc

    (x0, y0), (x1, y1) = lonlat_to_merc(31.0, 11.0), lonlat_to_merc(33.0, 15.0)
    return MapView((x0, y0, x1, y1), (0, 0, 300, 300))


def test_an_invalid_outline_is_repaired_and_drawn():
    view = _view_across_bowtie()
    drawn = view.prepare(BOWTIE)
    assert drawn is not None and drawn.is_valid and not drawn.is_empty
    assert view.clip_box.buffer(1.0).contains(drawn)


def test_a_claimed_invalid_polygon_does_not_break_the_map():
    """A claims file's self-intersecting polygon (GEOS cannot cut it as given) is drawn and labelled."""
    places = {
        "country:SD": MapPlace("country:SD", "Sudan", "country", "unit", 15.5, 30.0, geometry=SUDAN),
        "admin1:BT": MapPlace("admin1:BT", "Bowtie State", "admin1", "unit", 14.0, 32.0, geometry=BOWTIE),
        "geonames:1": MapPlace("geonames:1", "Khartoum", "populated_place", "point", 15.59, 32.53),
    }
    claims = [
        (claim("Bowtie State", ts(2023, 5, 20, 9), "controlled", actor="RSF", claimant="RSF"), "admin1:BT"),
        (claim("Khartoum", ts(2023, 5, 21, 9), "controlled", actor="SAF", claimant="SAF"), "geonames:1"),
    ]
    st = MapState.from_timeline(
        Timeline(claims, places), at=datetime(2023, 6, 1, tzinfo=UTC), title="Sudan",
        basemap=[("Sudan", "country", SUDAN), ("Bowtie province", "admin1", BOWTIE)],
    )
    report = render_static(st, io.BytesIO(), fmt="png", width=600, dpi=100)
    assert {"Bowtie State", "Khartoum"} <= set(report.anchors[0])
    assert "Bowtie State" in {lp.name for lp in report.labels[0]}


def test_a_bug_is_not_hidden_as_an_invalid_outline():
    """Only shapely's errors on invalid outlines are caught; anything else is raised."""
    with pytest.raises(TypeError):
        _view_across_bowtie().prepare("not a geometry")
