"""Property-based tests (hypothesis): any input gives a result or the package's typed error.

Covered: the claims reader (:mod:`mapper.claims`: rows in = claims out + rows reported),
the time parser (:func:`mapper.timespan.parse_time`), the name normaliser
(:func:`gazetteer.normalize`) and the geoparser's text cleaner (:mod:`mapper.geoparse.text`),
plus the span set the geoparser uses to stay linear on long documents. Examples are few
and deadlines set, so the module runs in seconds; ``HYPOTHESIS_PROFILE=thorough`` runs more.
"""

from __future__ import annotations

import csv
import io
import json
import os
import string
from datetime import datetime, timezone

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is in the `test` extra: pip install -e '.[test]'")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gazetteer import GazetteerError, normalize, skeleton  # noqa: E402
from mapper.claims import read_claims  # noqa: E402
from mapper.errors import MapperError  # noqa: E402
from mapper.timespan import parse_time  # noqa: E402

settings.register_profile("default", max_examples=60, deadline=2000,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("thorough", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: Text with the characters that break parsers: controls, NUL, quotes, separators, RTL marks,
#: combining marks, surrogates-free astral characters, and ordinary letters and digits.
NASTY = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(list(',;\t"\'\n\r\x00\u200f\u202e\ufeff\u0301\u064b<>&{}[]:-+/ ')),
        st.sampled_from(list(string.ascii_letters + string.digits)),
    ),
    max_size=60,
)


# --------------------------------------------------------------------------- time parser
TIME_WORDS = st.sampled_from([
    "2021-07-07", "2021-07-07T14:00", "2021-13-07", "2021-02-30", "7 July 2021", "July 2021", "2021",
    "Tuesday afternoon", "last night", "yesterday", "3 days ago", "early July", "mid-2021", "0000-00-00",
    "9999-12-31T23:59:59+14:00", "2021-07-07/2021-07-09", "2021-07-07T25:00", "-1", "1e308", "T", "/", "",
    "2021-07-07 +04:30", "2021-W27", "20210707", "7/7/21", "noon", "midnight", "  ",
])


@given(st.one_of(NASTY, TIME_WORDS, st.builds(lambda a, b: a + " " + b, TIME_WORDS, NASTY)),
       st.sampled_from([None, "Asia/Kabul", "+04:30", "UTC", "Europe/Kyiv"]),
       st.sampled_from([None, "2021-07-08", datetime(2021, 7, 8, 12, tzinfo=timezone.utc)]))
def test_parse_time_gives_a_span_or_a_time_parse_error(value, tz, anchor):
    try:
        span = parse_time(value, tz=tz, anchor=anchor)
    except MapperError:
        return
    assert span.earliest <= span.latest
    assert span.earliest.tzinfo is not None and span.latest.tzinfo is not None


# --------------------------------------------------------------------------- normaliser
@given(NASTY)
def test_normalize_gives_a_key(name):
    key = normalize(name)
    assert isinstance(key, str)
    assert key == key.strip() and "  " not in key
    assert isinstance(skeleton(key), str)


@given(NASTY)
def test_normalize_is_idempotent(name):
    """The index stores normalised keys and queries are normalised: a key must be its own key."""
    key = normalize(name)
    assert normalize(key) == key


# --------------------------------------------------------------------------- text cleaner
@given(st.one_of(st.binary(max_size=400), NASTY.map(lambda t: t.encode("utf-8")),
                 NASTY.map(lambda t: ("<html><body><p>" + t + "</p><script>" + t + "</script>").encode("utf-8")),
                 NASTY.map(lambda t: t.encode("utf-16")), NASTY.map(lambda t: t.encode("latin-1", "replace"))))
@example(b"<html<![\x01")  # html.parser asserted on this malformed marked section
def test_article_from_bytes_gives_an_article_or_an_article_error(data):
    from mapper.geoparse.text import article_from_bytes, text_lines

    try:
        art = article_from_bytes(data, name="x.txt")
    except MapperError as err:
        assert "x.txt" in str(err)
        return
    assert art.text.strip()
    for line in text_lines(art.text):
        assert 0 <= line.start <= line.end <= len(art.text)


@given(NASTY, NASTY)
def test_html_to_text_never_raises_and_drops_scripts(visible, hidden):
    from mapper.geoparse.text import html_to_text

    marker = "QZXHIDDENQZX"
    text, title = html_to_text(f"<html><head><title>{visible}</title><script>{marker}{hidden}</script></head>"
                               f"<body><nav>{marker}</nav><p>{visible}</p></body></html>")
    assert isinstance(text, str) and isinstance(title, str)
    assert marker not in text


# --------------------------------------------------------------------------- claims reader
CELL = st.one_of(
    NASTY,
    st.sampled_from(["Qala-e-Naw", "Kharkiv", "El Fasher", "Gao", "captured", "controlled", "contested",
                     "2021-07-07", "2021-13-40", "34.99", "63.13", "999", "-91", "nan", "inf", "Taliban", ""]),
)
HEADERS = st.sampled_from([
    ["place", "time", "status"],
    ["place", "actor", "status", "time", "claimant", "source", "quote"],
    ["place", "lat", "lon", "time", "status", "actor"],
    ["place", "time", "status", "place_id", "confidence", "tz"],
    ["event_date", "event_type", "sub_event_type", "actor1", "location", "latitude", "longitude", "notes"],
])


@st.composite
def csv_files(draw):
    header = draw(HEADERS)
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=8))
    buf = io.StringIO()
    # csv.writer leaves a lone CR unquoted (invalid CSV that no reader agrees on): quote all then.
    bare_cr = any("\r" in c for r in rows for c in r)
    quoting = csv.QUOTE_ALL if bare_cr else draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    w = csv.writer(buf, lineterminator="\n", quoting=quoting)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue(), rows


def _data_rows(text: str) -> int:
    """Rows after the header that hold any non-blank cell, as Python's csv module reads them."""
    rows = list(csv.reader(io.StringIO(text)))[1:]
    return sum(1 for r in rows if any(c.strip() for c in r))


def _read_accounted(path):
    """read_claims(path) -> (claims, report) with every row read accounted for (accepted or
    rejected); None when the whole file is refused with a MapperError."""
    try:
        claims, report = read_claims(path)
    except MapperError:
        return None
    assert len(claims) == report.accepted
    assert report.accepted + report.rejected_rows == report.read
    return claims, report


@settings(deadline=5000)
@given(csv_files())
def test_claims_csv_rows_in_equal_claims_out_plus_rows_reported(tmp_path_factory, case):
    text, _rows = case
    path = tmp_path_factory.mktemp("prop") / "claims.csv"
    path.write_text(text, encoding="utf-8")
    read = _read_accounted(path)
    if read is None:
        return
    _claims, report = read
    if not report.file_errors:
        assert report.read == _data_rows(text), (report.read, _data_rows(text), text[:500])


JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), CELL),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(CELL, inner, max_size=4)),
    max_leaves=12,
)
CLAIM_OBJECT = st.fixed_dictionaries(
    {"place": CELL, "time": CELL, "status": CELL},
    optional={"actor": CELL, "lat": st.one_of(CELL, st.floats()), "lon": st.one_of(CELL, st.floats()),
              "geometry": JSON_VALUE, "quote": CELL, "extra": JSON_VALUE},
)


@settings(deadline=5000)
@given(st.one_of(st.lists(CLAIM_OBJECT, max_size=6), st.lists(JSON_VALUE, max_size=4), JSON_VALUE))
def test_claims_json_any_value_gives_claims_or_a_report(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("prop") / "claims.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    read = _read_accounted(path)
    if read is None:
        return
    _claims, report = read
    if isinstance(value, list) and all(isinstance(v, dict) for v in value) and not report.file_errors:
        assert report.read == len(value)


@settings(deadline=5000)
@given(st.binary(max_size=300), st.sampled_from(["c.csv", "c.json", "c.jsonl", "c.tsv", "c.geojson"]))
def test_claims_reader_on_bytes_gives_claims_or_a_report(tmp_path_factory, data, name):
    path = tmp_path_factory.mktemp("prop") / name
    path.write_bytes(data)
    _read_accounted(path)


# --------------------------------------------------------------------------- geoparser spans
SPANS = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1])),
                 max_size=30)


@given(SPANS, st.integers(0, 240), st.integers(0, 20))
@example([(0, 0), (0, 1)], 0, 1)  # an empty span added first hid the next one
def test_span_set_answers_as_a_scan_of_the_list_would(spans, s, width):
    """:class:`mapper.geoparse.parser._Spans` must give exactly the answers of the list scans it replaced."""
    from mapper.geoparse.parser import _Spans

    e = s + width
    merged = _Spans.of(spans)
    assert merged.covers(s) == any(a <= s < b for a, b in spans)
    assert merged.overlaps(s, e) == any(s < b and a < e for a, b in spans if a < b)
    disjoint = _Spans()
    kept = []
    for a, b in spans:
        if not disjoint.overlaps(a, b):
            disjoint.add(a, b)
            kept.append((a, b))
    assert disjoint.overlaps(s, e) == any(s < b and a < e for a, b in kept)


def test_gazetteer_errors_are_typed():
    """The roots the properties rely on."""
    assert issubclass(GazetteerError, Exception) and issubclass(MapperError, Exception)


# --------------------------------------------------------------------------- time bound
def _long_report(n_chars: int, seed: int = 1) -> str:
    import random

    places = ["Kunduz", "Herat", "Kandahar", "Qala-e-Naw", "Mazar-i-Sharif", "Jalalabad", "Ghazni", "Faizabad",
              "Khujand", "Kulob", "Badghis", "Helmand", "Tajikistan", "Pakistan", "Iran", "Quetta", "Mashhad"]
    rng = random.Random(seed)
    out, size = [], 0
    while size < n_chars:
        p, q = rng.sample(places, 2)
        s = f"Fighters entered {p} on Monday, {rng.randint(2, 90)} km from {q}, residents said. "
        if rng.random() < 0.2:
            s += "\n\n"
        out.append(s)
        size += len(s)
    return "".join(out)[:n_chars]


def test_geoparse_time_grows_linearly_with_document_length(small_gazetteer):
    """16x the text must take well under 16^2 = 256x the time (the list scans made it quadratic,
    issue 12: 1 MB in 322 s); the best of three short runs evens out a busy machine."""
    import time

    from mapper.geoparse import Geoparser

    gp = Geoparser(small_gazetteer)
    gp.parse("Warm-up in Kabul.")

    def timed(text, runs):
        best, n = float("inf"), 0
        for _ in range(runs):
            t0 = time.perf_counter()
            n = len(gp.parse(text))
            best = min(best, time.perf_counter() - t0)
        return best, n

    short, n_short = timed(_long_report(10_000), 3)
    long_, n_long = timed(_long_report(160_000), 1)
    assert n_long > 12 * n_short  # the long text really has ~16x the mentions
    assert long_ / short < 48, f"10 KB {short:.2f} s, 160 KB {long_:.2f} s: {long_ / short:.1f}x for 16x the text"
