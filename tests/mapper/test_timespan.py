"""Tests for mapper.timespan: parsing into intervals with precision, labels, round trips."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

import pytest

from mapper.errors import MapperError, TimeParseError
from mapper.model import TimeSpan
from mapper.timespan import (
    DAYPARTS,
    format_time,
    is_relative,
    parse_time,
    resolve_tz,
    span_to_iso,
    span_tz_name,
)

UTC = timezone.utc
KABUL = resolve_tz("Asia/Kabul")
WED = date(2021, 7, 7)  # a Wednesday
US = timedelta(microseconds=1)


def dt(*args, tz=UTC):
    return datetime(*args, tzinfo=tz)


# ---- ISO and explicit forms ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, precision, earliest, latest_plus_1us",
    [
        ("2021", "year", dt(2021, 1, 1), dt(2022, 1, 1)),
        ("2021-07", "month", dt(2021, 7, 1), dt(2021, 8, 1)),
        ("2020-02", "month", dt(2020, 2, 1), dt(2020, 3, 1)),
        ("2021-07-06", "day", dt(2021, 7, 6), dt(2021, 7, 7)),
        ("2021-7-6", "day", dt(2021, 7, 6), dt(2021, 7, 7)),
        ("2021-W27", "week", dt(2021, 7, 5), dt(2021, 7, 12)),
        ("2021-07-06T14", "hour", dt(2021, 7, 6, 14), dt(2021, 7, 6, 15)),
        ("2021-07-06T14:05", "minute", dt(2021, 7, 6, 14, 5), dt(2021, 7, 6, 14, 6)),
        ("2021-07-06 14:05:30", "second", dt(2021, 7, 6, 14, 5, 30), dt(2021, 7, 6, 14, 5, 31)),
        ("2021-07-06 afternoon", "daypart", dt(2021, 7, 6, 12), dt(2021, 7, 6, 18)),
        ("2021-07-06, morning", "daypart", dt(2021, 7, 6, 5), dt(2021, 7, 6, 12)),
        ("2021-07-06 in the evening", "daypart", dt(2021, 7, 6, 17), dt(2021, 7, 6, 22)),
        ("2021-07-06 midday", "daypart", dt(2021, 7, 6, 11), dt(2021, 7, 6, 14)),
        ("2021-07-06 noon", "daypart", dt(2021, 7, 6, 11), dt(2021, 7, 6, 14)),
        ("2021-07-06 night", "daypart", dt(2021, 7, 6, 21), dt(2021, 7, 7, 6)),
        ("2021-07-06 6pm", "hour", dt(2021, 7, 6, 18), dt(2021, 7, 6, 19)),
        ("28 September 2019", "day", dt(2019, 9, 28), dt(2019, 9, 29)),
        ("04 July 2019", "day", dt(2019, 7, 4), dt(2019, 7, 5)),
        ("July 7, 2021", "day", dt(2021, 7, 7), dt(2021, 7, 8)),
        ("Wednesday, 7 July 2021", "day", dt(2021, 7, 7), dt(2021, 7, 8)),
        ("7th of July 2021", "day", dt(2021, 7, 7), dt(2021, 7, 8)),
        ("Jul 2021", "month", dt(2021, 7, 1), dt(2021, 8, 1)),
        ("6 Jul 2021, afternoon", "daypart", dt(2021, 7, 6, 12), dt(2021, 7, 6, 18)),
        ("7 Jul 2021, 18:00", "minute", dt(2021, 7, 7, 18), dt(2021, 7, 7, 18, 1)),
    ],
)
def test_explicit_forms(text, precision, earliest, latest_plus_1us):
    span = parse_time(text)
    assert span.precision == precision
    assert span.earliest == earliest
    assert span.latest + US == latest_plus_1us
    assert span.text == text


def test_offsets_and_zones():
    z = parse_time("2021-07-07T14:00Z")
    assert z.earliest == dt(2021, 7, 7, 14) and z.earliest.utcoffset() == timedelta(0)
    off = parse_time("2021-07-07T14:00+04:30")
    assert off.earliest == dt(2021, 7, 7, 9, 30)  # same instant in UTC
    kabul = parse_time("2021-07-07T14:00", tz="Asia/Kabul")
    assert kabul.earliest == off.earliest
    assert kabul.earliest.utcoffset() == timedelta(hours=4, minutes=30)
    # An explicit offset wins over tz.
    assert parse_time("2021-07-07T14:00Z", tz="Asia/Kabul").earliest == dt(2021, 7, 7, 14)
    # Day parts are local-time ranges.
    aft = parse_time("2021-07-06 afternoon", tz="Asia/Kabul")
    assert aft.earliest == dt(2021, 7, 6, 7, 30) and aft.latest + US == dt(2021, 7, 6, 13, 30)
    assert parse_time("2021-07-06", tz="+04:30").earliest == dt(2021, 7, 5, 19, 30)


def test_dst_zone_day_is_wall_clock():
    # Day of the spring DST change in Berlin: 23 hours long, still the whole local day.
    span = parse_time("2021-03-28", tz="Europe/Berlin")
    assert span.earliest.hour == 0 and (span.latest + US).hour == 0
    elapsed = (
        span.latest.astimezone(UTC) + US - span.earliest.astimezone(UTC)
    )  # real time, not wall clock
    assert elapsed.total_seconds() == 23 * 3600


def test_datetime_and_date_inputs():
    d = parse_time(date(2021, 7, 6), tz="Asia/Kabul")
    assert d.precision == "day" and d.earliest.utcoffset() == timedelta(hours=4, minutes=30)
    naive = parse_time(datetime(2021, 7, 6, 10, 0))
    assert naive.earliest == dt(2021, 7, 6, 10) and naive.earliest == naive.latest
    span = TimeSpan(dt(2021, 1, 1), dt(2021, 1, 2), "day")
    assert parse_time(span) is span


def test_interval():
    span = parse_time("2015-04-19/2015-04-20")
    assert span.earliest == dt(2015, 4, 19) and span.latest + US == dt(2015, 4, 21)
    assert span.precision == "week"  # two days: coarser than a day, finer than a month
    assert parse_time("2021-07-01/2021-07-31").precision == "month"
    with pytest.raises(TimeParseError, match="ends before it starts"):
        parse_time("2021-07-08/2021-07-06")


def test_textual_range_of_month():
    span = parse_time("mid-July 2021")
    assert span.earliest == dt(2021, 7, 11) and span.latest + US == dt(2021, 7, 21)
    late = parse_time("late February 2020")
    assert late.latest + US == dt(2020, 3, 1)


# ---- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, detail",
    [
        ("2021-13-07", "month 13 does not exist"),
        ("2021-02-30", "February 2021 has 28 days, not 30"),
        ("2021-04-31", "April 2021 has 30 days, not 31"),
        ("2021-07-06 25:00", "out of range"),
        ("2021-07-06T14:61", "out of range"),
        ("2021-W54", "no ISO week 54"),
        ("20210707", ""),
        ("31 February 2021", "February 2021 has 28 days"),
        ("Tuesday, 7 July 2021", "7 July 2021 is a Wednesday, not a Tuesday"),
        ("2021-07-06 soon", "neither a time of day"),
        ("banana", ""),
    ],
)
def test_impossible_dates_raise_clear_errors(text, detail):
    with pytest.raises(TimeParseError) as info:
        parse_time(text)
    msg = str(info.value)
    assert msg.startswith(
        f"'{text}' is not a date (expected ISO 8601, e.g. 2021-07-07 or 2021-07-07T14:00)"
    )
    assert detail in msg
    assert isinstance(info.value, MapperError) and isinstance(info.value, ValueError)


def test_leap_day():
    assert parse_time("2020-02-29").precision == "day"
    with pytest.raises(TimeParseError, match="February 2021 has 28 days, not 29"):
        parse_time("2021-02-29")


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty(text):
    with pytest.raises(TimeParseError, match="empty time"):
        parse_time(text)


def test_slash_dates_are_refused_as_ambiguous():
    with pytest.raises(TimeParseError, match="ambiguous"):
        parse_time("7/6/2021")


def test_unknown_zone():
    with pytest.raises(TimeParseError, match="unknown time zone 'Mars/Olympus'"):
        parse_time("2021-07-06", tz="Mars/Olympus")


# ---- relative phrases ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "phrase, precision, first_day, start_hour",
    [
        ("Tuesday afternoon", "daypart", date(2021, 7, 6), 12),
        ("on Tuesday afternoon", "daypart", date(2021, 7, 6), 12),
        ("Wednesday afternoon", "daypart", date(2021, 7, 7), 12),  # anchor's own weekday: same day
        ("on Wednesday", "day", date(2021, 7, 7), 0),
        ("Thursday", "day", date(2021, 7, 1), 0),  # most recent Thursday on or before Wed 7 Jul
        ("last Wednesday", "day", date(2021, 6, 30), 0),
        ("last night", "daypart", date(2021, 7, 6), 21),
        ("overnight", "daypart", date(2021, 7, 6), 21),
        ("Tuesday night", "daypart", date(2021, 7, 6), 21),
        ("yesterday", "day", date(2021, 7, 6), 0),
        ("yesterday afternoon", "daypart", date(2021, 7, 6), 12),
        ("today", "day", date(2021, 7, 7), 0),
        ("this morning", "daypart", date(2021, 7, 7), 5),
        ("tonight", "daypart", date(2021, 7, 7), 21),
        ("early Wednesday", "daypart", date(2021, 7, 7), 0),
        ("late Tuesday", "daypart", date(2021, 7, 6), 18),
        ("the night of Tuesday", "daypart", date(2021, 7, 6), 21),
        ("3 days ago", "day", date(2021, 7, 4), 0),
        ("two days ago", "day", date(2021, 7, 5), 0),
        ("the day before yesterday", "day", date(2021, 7, 5), 0),
        ("last week", "week", date(2021, 6, 28), 0),
        ("Tuesday at 14:30", "minute", date(2021, 7, 6), 14),
        ("7 July", "day", date(2021, 7, 7), 0),
        ("28 December", "day", date(2020, 12, 28), 0),  # a past date: last year's
    ],
)
def test_relative_phrases_against_anchor(phrase, precision, first_day, start_hour):
    span = parse_time(phrase, anchor=WED, tz="Asia/Kabul")
    assert span.precision == precision
    assert span.earliest.date() == first_day
    assert span.earliest.hour == start_hour
    assert span.earliest.utcoffset() == timedelta(hours=4, minutes=30)
    assert span.text == phrase


def test_anchor_forms_agree():
    expected = parse_time("Tuesday afternoon", anchor=WED, tz="Asia/Kabul")
    for anchor in (
        datetime(2021, 7, 7, 15, 0, tzinfo=KABUL),
        datetime(2021, 7, 7, 15, 0),
        "2021-07-07",
    ):
        got = parse_time("Tuesday afternoon", anchor=anchor, tz="Asia/Kabul")
        assert (got.earliest, got.latest) == (expected.earliest, expected.latest)
    # An aware anchor's own zone is used when tz is not given.
    got = parse_time("Tuesday afternoon", anchor=datetime(2021, 7, 7, 15, 0, tzinfo=KABUL))
    assert got.earliest == expected.earliest


def test_anchor_local_day_decides_the_weekday():
    # 21:00 UTC on Tuesday is already Wednesday 01:30 in Kabul.
    anchor = datetime(2021, 7, 6, 21, 0, tzinfo=UTC)
    assert parse_time("yesterday", anchor=anchor, tz="Asia/Kabul").earliest.date() == date(
        2021, 7, 6
    )
    assert parse_time("yesterday", anchor=anchor).earliest.date() == date(2021, 7, 5)


def test_past_hours_window_with_datetime_anchor():
    anchor = datetime(2021, 7, 7, 15, 0, tzinfo=UTC)
    span = parse_time("in the past 24 hours", anchor=anchor)
    assert span.latest == anchor and span.earliest == anchor - timedelta(hours=24)


def test_relative_without_anchor_is_an_error_not_today():
    for phrase in ("Tuesday afternoon", "last night", "yesterday", "7 July"):
        with pytest.raises(TimeParseError, match="anchor"):
            parse_time(phrase)


def test_is_relative():
    assert is_relative("Tuesday afternoon") and is_relative("last night") and is_relative("7 July")
    assert not is_relative("2021-07-06 afternoon") and not is_relative("28 September 2019")


def test_dateparser_fallback_is_used_for_other_wordings():
    span = parse_time("7 July 2021 at 2 p.m.")
    assert span.earliest == dt(2021, 7, 7, 14)


# ---- labels and round trips ------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, label",
    [
        ("2021", "2021"),
        ("2021-07", "Jul 2021"),
        ("2021-07-06", "6 Jul 2021"),
        ("2021-07-06 afternoon", "6 Jul 2021, afternoon"),
        ("2021-07-06 night", "6 Jul 2021, night"),
        ("2021-07-07T18:00", "7 Jul 2021, 18:00"),
        ("2021-07-07T18", "7 Jul 2021, 18h"),
        ("2015-04-19/2015-04-20", "19–20 Apr 2015"),
        ("2015-04-29/2015-05-02", "29 Apr – 2 May 2015"),
        ("2021-W27", "5–11 Jul 2021"),
    ],
)
def test_format_time_keeps_precision(text, label):
    assert format_time(parse_time(text)) == label
    assert format_time(parse_time(text, tz="Asia/Kabul")) == label  # shown in local time


def test_format_show_tz():
    assert (
        format_time(parse_time("2021-07-07 14:00", tz="Asia/Kabul"), show_tz=True)
        == "7 Jul 2021, 14:00 (UTC+04:30)"
    )
    assert format_time(parse_time("2021-07-07"), show_tz=True) == "7 Jul 2021"


@pytest.mark.parametrize(
    "text",
    [
        "2021",
        "2021-07",
        "2021-W27",
        "2021-07-06",
        "2021-07-06 afternoon",
        "2021-07-06 night",
        "2021-07-06T14",
        "2021-07-06T14:05",
        "2021-07-06T14:05:30",
        "2015-04-19/2015-04-20",
        "28 September 2019",
        "mid-July 2021",
        "2021-07-06T21:30/2021-07-07T02:10",
    ],
)
@pytest.mark.parametrize("tz", [None, "Asia/Kabul", "-05:00"])
def test_span_to_iso_round_trips(text, tz):
    span = parse_time(text, tz=tz)
    again = parse_time(span_to_iso(span), tz=span_tz_name(span) or None)
    assert (again.earliest, again.latest, again.precision) == (
        span.earliest,
        span.latest,
        span.precision,
    )


def test_span_tz_name():
    assert span_tz_name(parse_time("2021-07-06")) == ""
    assert span_tz_name(parse_time("2021-07-06", tz="Asia/Kabul")) == "Asia/Kabul"
    assert span_tz_name(parse_time("2021-07-06T10:00-05:00")) == "-05:00"


def test_dayparts_are_documented_ranges():
    for name, (h0, h1) in DAYPARTS.items():
        span = parse_time(f"2021-07-06 {name}")
        assert (span.latest + US - span.earliest) == timedelta(hours=h1 - h0)
        assert format_time(span) == f"6 Jul 2021, {name}"


def test_sorting_uses_datetimes_not_strings():
    texts = ["2021-07-10", "9 July 2021", "2021-07-09 afternoon", "2021-07", "2021-07-09T08:00"]
    spans = sorted((parse_time(t) for t in texts), key=TimeSpan.sort_key)
    assert [s.text for s in spans] == [
        "2021-07",
        "9 July 2021",
        "2021-07-09T08:00",
        "2021-07-09 afternoon",
        "2021-07-10",
    ]


def test_speed_10k_iso_values():
    values = [f"2021-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)] * 30  # 10,080
    values += [f"2021-07-{d:02d}T{h:02d}:15" for d in range(1, 29) for h in range(24)] * 3
    start = time.perf_counter()
    for v in values:
        parse_time(v)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"{len(values)} values took {elapsed:.2f}s"
