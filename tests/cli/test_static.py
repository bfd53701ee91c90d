"""``conflictmap static`` and ``conflictmap describe``: claims in, image / text out, checked through the files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("matplotlib")
from PIL import Image

from mapper.cli import cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "qala-e-naw-2021" / "claims.csv"


def _run(args, gz_dir, **kw):
    return CliRunner().invoke(cli, [*args, "--data-dir", str(gz_dir)], **kw)


def _describe_at_18_kabul(gz_dir, *more):
    """`conflictmap describe` of the worked example at 7 July 2021, 18:00 in Kabul."""
    return _run(["-q", "describe", str(EXAMPLE), "--tz", "Asia/Kabul", "--at", "2021-07-07T18:00", *more], gz_dir)


@pytest.fixture(scope="module")
def example_png(small_gazetteer_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("static") / "qala.png"
    r = _run(
        [
            "static",
            str(EXAMPLE),
            "-o",
            str(out),
            "--width",
            "700",
            "--dpi",
            "120",
            "--tz",
            "Asia/Kabul",
            "--at",
            "2021-07-07T18:00",
            "--title",
            "Qala-e-Naw, July 2021",
        ],
        small_gazetteer_dir,
    )
    assert r.exit_code == 0, r.output
    return out, r


def test_static_writes_the_image_asked(example_png):
    out, r = example_png
    img = Image.open(out)
    assert img.size[0] == 700 and abs(img.info["dpi"][0] - 120) < 0.5
    assert r.stdout.strip().endswith(str(out))
    assert "Read 30 rows" in r.stderr and "Static map:" in r.stderr
    assert "2021-07-07T13:30Z" in r.stderr, "--at is read in --tz (18:00 Kabul = 13:30 UTC)"


def test_static_svg_matches_the_claims(small_gazetteer_dir, tmp_path):
    out = tmp_path / "q.svg"
    r = _run(
        [
            "-q",
            "static",
            str(EXAMPLE),
            "-o",
            str(out),
            "--tz",
            "Asia/Kabul",
            "--at",
            "2021-07-07T18:00",
        ],
        small_gazetteer_dir,
    )
    assert r.exit_code == 0, r.output
    svg = out.read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    # Default title from the data (places claimed most, dates of the claims), the same as the HTML map's.
    title = " ".join(texts[:2])
    assert title == "Qala-e-Naw, Badghis and 4 other places: reported control, 6–7 July 2021", texts[:3]
    page = tmp_path / "q.html"
    m = _run(["-q", "map", str(EXAMPLE), "-o", str(page), "--tz", "Asia/Kabul"], small_gazetteer_dir)
    assert m.exit_code == 0, m.output
    html_title = re.search(r"<title>([^<]*)</title>", page.read_text(encoding="utf-8")).group(1)
    assert html_title == title
    # "Government" is qualified by the places' country (timeline: the place's country code is the context).
    assert "Controlled by Taliban" in texts and "Controlled by Government of Afghanistan" in texts
    # Place labels carry the same assessment as `conflictmap describe` for that time.
    d = _describe_at_18_kabul(small_gazetteer_dir, "--format", "json")
    assert d.exit_code == 0, d.output
    places = json.loads(d.stdout)["places"]
    statuses = {p["name"]: p["status"] for p in places}
    assert statuses["Qala-e-Naw"] == "disputed"
    for name, status in statuses.items():
        if status in ("disputed", "contested") and name != "Afghanistan":
            i = texts.index(name)
            assert texts[i + 1] == status, (name, texts[i : i + 2])
    assert "Places: GeoNames (geonames.org), CC BY 4.0" in " ".join(texts)


def test_static_steps_extent_and_errors(small_gazetteer_dir, tmp_path):
    out = tmp_path / "strip.png"
    r = _run(
        [
            "static",
            str(EXAMPLE),
            "-o",
            str(out),
            "--steps",
            "2021-07-06T12:00,2021-07-07T18:00",
            "--extent",
            "62,34,65,36.5",
            "--tz",
            "Asia/Kabul",
            "--dpi",
            "100",
        ],
        small_gazetteer_dir,
    )
    assert r.exit_code == 0, r.output
    assert "2 panels: 2021-07-06T07:30Z, 2021-07-07T13:30Z" in r.stderr
    assert Image.open(out).size[0] == 2 * (2 * 300 + 12 + 28)
    again = _run(["static", str(EXAMPLE), "-o", str(out)], small_gazetteer_dir)
    assert again.exit_code == 2 and "--overwrite" in again.output
    bad = _run(["static", str(EXAMPLE), "-o", str(tmp_path / "x.gif")], small_gazetteer_dir)
    assert bad.exit_code == 2 and ".png, .svg or .pdf" in bad.output
    both = _run(
        [
            "static",
            str(EXAMPLE),
            "-o",
            str(tmp_path / "y.png"),
            "--panels",
            "2",
            "--steps",
            "2021-07-06",
        ],
        small_gazetteer_dir,
    )
    assert both.exit_code == 2 and "not both" in both.output
    box = _run(
        ["static", str(EXAMPLE), "-o", str(tmp_path / "z.png"), "--extent", "1,2,3"],
        small_gazetteer_dir,
    )
    assert box.exit_code == 2 and "expected 4" in box.output
    place = _run(
        ["static", str(EXAMPLE), "-o", str(tmp_path / "z.png"), "--extent", "Qqqxyzzy"],
        small_gazetteer_dir,
    )
    assert place.exit_code == 2 and "not found" in place.output
    step = _run(
        ["static", str(EXAMPLE), "-o", str(tmp_path / "z.png"), "--steps", "2021-13-45"],
        small_gazetteer_dir,
    )
    assert step.exit_code == 2 and "2021-13-45" in step.output
    assert not (tmp_path / "z.png").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,2,3", "bbox '1,2,3' has 3 numbers, expected 4"),
        ("1,2,x,4", "is not four numbers"),
        ("65,34,62,36", "min must be less than max on both axes"),
        ("29.3,95,38.5,75", "latitudes 95.0 and 75.0 are not both in -85..85"),
        ("200,2,3,4", "longitudes 200.0 and 3.0 are not both in -180..180"),
        ("1e999,2,3,4", "not finite"),
    ],
)
def test_bbox_errors_name_the_value_and_the_order(text, message):
    import click

    from mapper.cli.static import parse_bbox

    with pytest.raises(click.BadParameter) as err:
        parse_bbox(text)
    assert message in err.value.message
    assert "order is min_lon,min_lat,max_lon,max_lat" in err.value.message
    assert err.value.param_hint == "--extent"


def test_bbox_is_parsed_longitudes_first():
    from mapper.cli.static import parse_bbox
    from mapper.render.static import LonLatBox

    assert parse_bbox(" 60.5, 29.3 ,75,38.5") == LonLatBox(
        min_lon=60.5, min_lat=29.3, max_lon=75.0, max_lat=38.5
    )


def test_static_extent_by_place_name(small_gazetteer_dir, tmp_path):
    out = tmp_path / "badghis.png"
    r = _run(
        [
            "static",
            str(EXAMPLE),
            "-o",
            str(out),
            "--extent",
            "Badghis",
            "--panels",
            "2",
            "--dpi",
            "100",
        ],
        small_gazetteer_dir,
    )
    assert r.exit_code == 0, r.output
    assert "2 panels" in r.stderr and out.exists()


def test_describe_text_and_short(small_gazetteer_dir):
    r = _describe_at_18_kabul(small_gazetteer_dir)
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert text.startswith("As of 7 Jul 2021, 13:30 UTC (18:00 at UTC+04:30): Qala-e-Naw: disputed")
    assert "Afghan Defense Ministry (Facebook): controlled by Government" in text
    assert "captured" in text and "6 Jul 2021, afternoon" in text
    s = _describe_at_18_kabul(small_gazetteer_dir, "--format", "short")
    assert s.stdout.strip() == (
        "As of 7 Jul 2021, 13:30 UTC (18:00 at UTC+04:30): Qala-e-Naw and Badghis disputed; Badakhshan, Kunduz "
        "and Takhar \u2014 Taliban: majority of districts (partial control); Afghanistan \u2014 denied: not held by "
        "Taliban (per the claims mapped)."
    )
    m = _run(["-q", "describe", str(EXAMPLE), "--max-claims", "2"], small_gazetteer_dir)
    assert re.search(r"and \d+ more current claims", m.stdout)
    bad = _run(["describe", str(EXAMPLE), "--at", "yesterday-ish"], small_gazetteer_dir)
    assert bad.exit_code == 1 and "yesterday-ish" in bad.output
