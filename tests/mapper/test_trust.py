"""Outliers and flagged drafts (mapper.trust), on hand-made places: no gazetteer needed."""

from __future__ import annotations

from datetime import datetime, timezone

from mapper.model import Claim, Origin, TimeSpan
from mapper.timeline import MapPlace
from mapper.trust import (
    OUTLIER_KM,
    claim_flags,
    draft_warnings,
    find_outliers,
    flagged_drafts,
    median_point,
)

T = TimeSpan(datetime(2022, 11, 9, tzinfo=timezone.utc), datetime(2022, 11, 9, 23, tzinfo=timezone.utc), "day")


def _claim(place, row, path="f.csv", country="", extra=(), quote="", confidence=None):
    return Claim(place, T, "controlled", country=country, extra=extra, quote=quote, confidence=confidence,
                 origin=Origin(path, row, "canonical"))


def _places(spec):
    """{key: (lat, lon, cc)} -> (places, codes)."""
    places = {k: MapPlace(k, k, "populated_place", lat=la, lon=lo, country=cc) for k, (la, lo, cc) in spec.items()}
    return places, {k: cc for k, (_la, _lo, cc) in spec.items()}


def test_median_point_is_not_moved_by_one_stray_point():
    lat, lon = median_point([(46.6, 32.6), (46.7, 33.0), (46.8, 33.4), (47.1, 33.2), (-34.6, -58.4)])
    assert abs(lat - 46.7) < 0.5 and abs(lon - 33.0) < 0.6


def test_a_namesake_on_another_continent_is_an_outlier_and_a_second_front_is_not():
    spec = {  # Kherson area, a cluster ~600 km away around Kharkiv, and one stray namesake in the Americas
        "Kherson": (46.64, 32.61, "UA"), "Nova Kakhovka": (46.75, 33.37, "UA"), "Beryslav": (46.84, 33.43, "UA"),
        "Snihurivka": (47.08, 32.81, "UA"), "Oleshky": (46.62, 32.72, "UA"), "Hola Prystan": (46.52, 32.52, "UA"),
        "Kharkiv": (49.99, 36.23, "UA"), "Izium": (49.21, 37.26, "UA"), "Balakliia": (49.46, 36.86, "UA"),
        "Kherson (stray)": (39.0, -95.0, "US"),
    }
    places, codes = _places(spec)
    placed = [(_claim(k, i + 1), k) for i, k in enumerate(spec)]
    out = find_outliers(placed, places, codes)
    assert [o.place_key for o in out] == ["Kherson (stray)"]
    assert out[0].km > OUTLIER_KM and "km from the centre" in out[0].reason
    assert out[0].rows == ("f.csv row 10",) and "Possible misplacement" in out[0].warning


def test_a_place_alone_in_its_country_is_an_outlier_unless_another_row_names_that_country():
    spec = {"A": (46.6, 32.6, "UA"), "B": (46.7, 33.0, "UA"), "C": (46.9, 33.1, "UA"), "D": (46.5, 31.9, "MD")}
    places, codes = _places(spec)
    placed = [(_claim(k, i + 1), k) for i, k in enumerate(spec)]
    out = find_outliers(placed, places, codes, {"MD": "Moldova"})
    assert [o.place_key for o in out] == ["D"] and "the only place in Moldova" in out[0].reason
    # A row about another place that names Moldova in its country column: no longer alone.
    placed.append((_claim("B", 5, country="MD"), "B"))
    assert find_outliers(placed, places, codes) == []


def test_outliers_are_judged_file_by_file_and_need_a_few_places():
    spec = {"A": (46.6, 32.6, "UA"), "B": (46.7, 33.0, "UA"), "Far": (10.0, 10.0, "NG")}
    places, codes = _places(spec)
    # Two places in one file: nobody is "the rest", no verdict.
    assert find_outliers([(_claim("A", 1), "A"), (_claim("Far", 2), "Far")], places, codes) == []
    # Three places, but the far one is in its own file: each file is its own story.
    placed = [(_claim("A", 1), "A"), (_claim("B", 2), "B"), (_claim("Far", 1, path="g.csv"), "Far")]
    assert find_outliers(placed, places, codes) == []
    placed.append((_claim("Far", 3), "Far"))
    assert [o.place_key for o in find_outliers(placed, places, codes)] == ["Far"]


def test_a_country_wide_file_is_not_all_outliers():
    # Places all over a large country: the threshold grows with the spread of the file.
    spec = {f"p{i}": (50 + (i % 5) * 3.0, 40 + (i // 5) * 12.0, "RU") for i in range(20)}
    places, codes = _places(spec)
    placed = [(_claim(k, i + 1), k) for i, k in enumerate(spec)]
    assert find_outliers(placed, places, codes) == []


def test_flags_are_read_from_the_flags_column_and_become_popup_warnings():
    a = _claim("Kherson", 4, extra=(("sentence_start", "10"), ("flags", "place_far_from_article; actor_unknown")),
               quote="Moscow said its forces had left the right bank of the river in good order", confidence=0.4)
    b = _claim("Kherson", 9, extra=(("flags", "place_far_from_article;actor_unknown"),))
    c = _claim("Beryslav", 5, extra=(("flags", ""),))
    assert claim_flags(a) == ("place_far_from_article", "actor_unknown") and claim_flags(c) == ()
    drafts = flagged_drafts([a, c, b])
    assert [d.claim.origin.row for d in drafts] == [4, 9]
    line = str(drafts[0])
    assert line.startswith("f.csv row 4: 'Kherson' [place_far_from_article; actor_unknown] (confidence 0.40)")
    assert '"Moscow said its forces had left' in line and line.endswith("…\"")
    warnings = draft_warnings(drafts, {id(a): "k", id(b): "k"})
    assert len(warnings["k"]) == 1  # the same flags on two rows: one warning naming both rows
    assert "rows 4, 9" in warnings["k"][0] and "far from the article's other places" in warnings["k"][0]


def test_a_multi_country_dataset_is_not_flagged_country_by_country():
    # Sahel-style file: places in three countries, none holding most of them; each country's
    # lone place is the dataset's design, not a misplacement.
    spec = {"Gao": (16.27, -0.04, "ML"), "Mopti": (14.49, -4.2, "ML"), "Djibo": (14.1, -1.63, "BF"),
            "Dori": (14.03, -0.03, "BF"), "Tillaberi": (14.21, 1.45, "NE"), "Agadez": (16.97, 7.99, "NE"),
            "Tamanrasset": (22.79, 5.52, "DZ")}
    places, codes = _places(spec)
    placed = [(_claim(k, i + 1), k) for i, k in enumerate(spec)]
    assert [o.place_key for o in find_outliers(placed, places, codes)] == []
