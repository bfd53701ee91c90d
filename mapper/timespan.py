"""Parse claim times into :class:`~mapper.model.TimeSpan` intervals and label them.

A time in a claim is an interval ``[earliest, latest]`` plus a precision, never a
bare instant: "2021-07" covers the whole month, "Tuesday afternoon" covers
12:00-17:59:59.999999 local time of the Tuesday on or before the publication date.

Rules
-----
* ISO 8601 dates and datetimes are parsed explicitly (fast path, no guessing):
  ``2021``, ``2021-07``, ``2021-07-06``, ``2021-W27``, ``2021-07-06T14``,
  ``2021-07-06T14:05``, ``2021-07-06 14:05:30``, with an optional ``Z`` or
  ``+04:30`` offset; intervals ``2021-07-06/2021-07-08``.
* A date may carry a day part: ``2021-07-06 afternoon``, ``6 Jul 2021, night``.
* Textual dates: ``28 September 2019`` (ACLED), ``July 7, 2021``, ``Jul 2021``,
  ``Wednesday, 7 July 2021`` (the weekday is checked against the date),
  ``mid-July 2021`` (early = days 1-10, mid = 11-20, late = 21-end).
* Relative phrases need ``anchor`` (a publication date or datetime): ``Tuesday
  afternoon``, ``on Wednesday``, ``last night``, ``yesterday``, ``this morning``,
  ``3 days ago``, ``last week``, ``in the past 24 hours``. A weekday is the most
  recent such day on or before the anchor's local date (the anchor's own day if it
  is that weekday); ``last Tuesday`` is strictly before it. ``last night`` is the
  night before the anchor's day. Without an anchor a relative phrase raises
  :class:`~mapper.errors.TimeParseError`, so results never depend on today's date.
* Naive times are in ``tz`` (an IANA name such as ``"Asia/Kabul"``, an offset such
  as ``"+04:30"``, or a tzinfo); UTC when ``tz`` is None. An explicit offset in the
  value wins. Datetimes keep the zone they were given in, so labels show local time.
* ``latest`` is inclusive: the last microsecond of the interval.

Day parts (local time; ``night`` runs into the next day)::

    early hours    00:00-06:00      morning    05:00-12:00     midday  11:00-14:00
    early morning  03:00-08:00      afternoon  12:00-18:00     evening 17:00-22:00
    night          21:00-06:00(+1)  early      00:00-12:00     late    18:00-24:00

Anything the explicit rules do not cover is tried with :mod:`dateparser` (English),
and accepted only if the result does not depend on the current date.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from mapper.errors import TimeParseError
from mapper.model import TimeSpan

__all__ = [
    "DAYPARTS",
    "parse_time",
    "format_time",
    "span_to_iso",
    "span_tz_name",
    "resolve_tz",
    "is_relative",
    "precision_for_width",
]

UTC = timezone.utc
_MICRO = timedelta(microseconds=1)

#: Day parts as local-time ranges (start hour, end hour); an end past 24 runs into the next day.
DAYPARTS = {
    "early hours": (0, 6),
    "early morning": (3, 8),
    "morning": (5, 12),
    "midday": (11, 14),
    "afternoon": (12, 18),
    "evening": (17, 22),
    "night": (21, 30),
    "early": (0, 12),
    "late": (18, 24),
}

#: Other words for the day parts above.
_DAYPART_ALIASES = {
    "noon": "midday",
    "around noon": "midday",
    "lunchtime": "midday",
    "overnight": "night",
    "nighttime": "night",
    "night-time": "night",
    "late night": "night",
    "late evening": "evening",
    "dawn": "early morning",
    "daybreak": "early morning",
    "pre-dawn": "early hours",
    "predawn": "early hours",
    "small hours": "early hours",
    "early hours of": "early hours",
    "late morning": "morning",
    "late afternoon": "afternoon",
    "early afternoon": "afternoon",
    "early evening": "evening",
}

_EXPECTED = "expected ISO 8601, e.g. 2021-07-07 or 2021-07-07T14:00"

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH_ABBR = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "24": 24,
    "48": 48,
}

_MON_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WD_RE = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))

# ---- ISO fast path -------------------------------------------------------------------------
_ISO_RE = re.compile(
    r"(?P<y>\d{4})"
    r"(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?|-W(?P<w>\d{1,2}))?"
    r"(?:(?:T|\s+|,\s*)(?P<rest>.+))?"
)
_TIME_RE = re.compile(
    r"(?:at\s+|around\s+|about\s+)?"
    r"(?P<h>\d{1,2})(?::?(?P<mi>\d{2})(?::?(?P<s>\d{2})(?:[.,](?P<f>\d{1,6}))?)?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?"
    r"\s*(?P<tz>z|utc|gmt|(?:utc|gmt)?\s*[+-]\d{1,2}(?::?\d{2})?)?"
    r"(?:\s+local\s+time)?",
    re.IGNORECASE,
)

# ---- textual dates -------------------------------------------------------------------------
_DMY_RE = re.compile(
    rf"(?:(?P<wd>{_WD_RE})\.?\s+)?(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"(?P<mon>{_MON_RE})\.?(?:\s+(?P<y>\d{{4}}))?(?:\s+(?P<rest>.+))?"
)
_MDY_RE = re.compile(
    rf"(?:(?P<wd>{_WD_RE})\.?\s+)?(?P<mon>{_MON_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"(?:\s+(?P<y>\d{{4}}))?(?:\s+(?P<rest>.+))?"
)
_MY_RE = re.compile(rf"(?:(?P<part>early|mid|late)[-\s]+)?(?P<mon>{_MON_RE})\.?\s+(?P<y>\d{{4}})")
_SLASH_DATE_RE = re.compile(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")

# ---- relative phrases ----------------------------------------------------------------------
_REL_WEEKDAY_RE = re.compile(
    rf"(?:on\s+)?(?:(?P<mod>last|this|past|previous)\s+)?(?P<wd>{_WD_RE})(?:'s)?\.?(?:\s+(?P<rest>.+))?"
)
_REL_EARLY_LATE_RE = re.compile(rf"(?P<el>early|late)\s+(?:on\s+)?(?P<wd>{_WD_RE}|yesterday|today)")
_REL_DAYPART_OF_RE = re.compile(
    rf"(?:in\s+)?(?:the\s+)?(?P<dp>[a-z -]+?)\s+(?:of|on)\s+(?P<wd>{_WD_RE})"
)
_REL_AGO_RE = re.compile(r"(?P<n>\d+|[a-z]+)\s+(?P<unit>day|days|week|weeks|month|months)\s+ago")
_REL_PAST_RE = re.compile(
    r"(?:in\s+|during\s+|over\s+|within\s+)?(?:the\s+)?(?:past|last|previous)\s+"
    r"(?P<n>\d+|[a-z]+)\s+(?P<unit>hours|hour|days|day)"
)
_DAY_WORDS = {
    "today": 0,
    "yesterday": -1,
    "day before yesterday": -2,
    "the day before yesterday": -2,
}


def _err(text: str, detail: str = "") -> TimeParseError:
    msg = f"'{text}' is not a date ({_EXPECTED})"
    if detail:
        msg += f": {detail}"
    return TimeParseError(msg)


# ---- time zones ----------------------------------------------------------------------------
_OFFSET_RE = re.compile(
    r"(?:utc|gmt)?\s*(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?", re.IGNORECASE
)


@lru_cache(maxsize=256)
def _tz_from_name(name: str) -> tzinfo:
    key = name.strip()
    if key.upper() in ("UTC", "Z", "GMT", "ZULU", ""):
        return UTC
    m = _OFFSET_RE.fullmatch(key)
    if m:
        h, mi = int(m.group("h")), int(m.group("m") or 0)
        if h > 14 or mi > 59:
            raise TimeParseError(f"'{name}' is not a UTC offset (expected e.g. +04:30 or -05:00)")
        delta = timedelta(hours=h, minutes=mi)
        return timezone(-delta if m.group("sign") == "-" else delta)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise TimeParseError(
            f"unknown time zone '{name}' (expected an IANA name such as Asia/Kabul or an offset such as +04:30)"
        ) from err


def resolve_tz(tz: str | tzinfo | None) -> tzinfo:
    """Turn a ``tz`` argument into a tzinfo (UTC when None).

    Examples
    --------
    >>> resolve_tz("Asia/Kabul").utcoffset(datetime(2021, 7, 7))
    datetime.timedelta(seconds=16200)
    >>> resolve_tz("+04:30")
    datetime.timezone(datetime.timedelta(seconds=16200))
    >>> resolve_tz("Mars/Olympus")
    Traceback (most recent call last):
    ...
    mapper.errors.TimeParseError: unknown time zone 'Mars/Olympus' (expected an IANA name such as Asia/Kabul or an offset such as +04:30)
    """
    if tz is None:
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    return _tz_from_name(str(tz))


def span_tz_name(span: TimeSpan) -> str:
    """The zone of a span as text for the ``tz`` column: ``""`` for UTC, else an IANA key or offset."""
    tzi = span.earliest.tzinfo
    if tzi is None or tzi is UTC:
        return ""
    key = getattr(tzi, "key", None)
    if key:
        return key
    off = span.earliest.utcoffset()
    if not off:
        return ""
    return _format_offset(off)


def _format_offset(off: timedelta) -> str:
    total = int(off.total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


# ---- spans ---------------------------------------------------------------------------------
def _dt(d: date, hour: int, tzi: tzinfo) -> datetime:
    return (
        datetime(d.year, d.month, d.day, tzinfo=tzi) + timedelta(hours=hour)
        if hour >= 24
        else datetime(d.year, d.month, d.day, hour, tzinfo=tzi)
    )


def _day(d: date, tzi: tzinfo, text: str) -> TimeSpan:
    start = datetime(d.year, d.month, d.day, tzinfo=tzi)
    nxt = d + timedelta(days=1)
    return TimeSpan(start, datetime(nxt.year, nxt.month, nxt.day, tzinfo=tzi) - _MICRO, "day", text)


def _days(
    first: date, last: date, tzi: tzinfo, text: str, precision: str | None = None
) -> TimeSpan:
    start = datetime(first.year, first.month, first.day, tzinfo=tzi)
    nxt = last + timedelta(days=1)
    end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tzi) - _MICRO
    return TimeSpan(start, end, precision or precision_for_width(start, end), text)


def _daypart(d: date, name: str, tzi: tzinfo, text: str) -> TimeSpan:
    h0, h1 = DAYPARTS[name]
    return TimeSpan(_dt(d, h0, tzi), _dt(d, h1, tzi) - _MICRO, "daypart", text)


def _month(y: int, m: int, tzi: tzinfo, text: str) -> TimeSpan:
    last = calendar.monthrange(y, m)[1]
    return _days(date(y, m, 1), date(y, m, last), tzi, text, "month")


def _year(y: int, tzi: tzinfo, text: str) -> TimeSpan:
    return _days(date(y, 1, 1), date(y, 12, 31), tzi, text, "year")


def precision_for_width(earliest: datetime, latest: datetime) -> str:
    """Precision of an arbitrary interval, from its width (finest unit it fits in).

    Examples
    --------
    >>> a = datetime(2015, 4, 19, tzinfo=UTC)
    >>> precision_for_width(a, a + timedelta(days=2) - timedelta(microseconds=1))
    'week'
    >>> precision_for_width(a, a + timedelta(days=40))
    'year'
    """
    width = latest - earliest + _MICRO
    for precision, limit in _WIDTH_LIMITS:
        if width <= limit:
            return precision
    return "year"


_WIDTH_LIMITS = (
    ("second", timedelta(seconds=1)),
    ("minute", timedelta(minutes=1)),
    ("hour", timedelta(hours=1)),
    ("daypart", timedelta(hours=9)),
    ("day", timedelta(days=1)),
    ("week", timedelta(days=7)),
    ("month", timedelta(days=31)),
    ("year", timedelta(days=366)),
)


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _check_ymd(text: str, y: int, m: int, d: int | None) -> None:
    if not 1 <= m <= 12:
        raise _err(text, f"month {m} does not exist")
    if d is not None:
        last = _DAYS_IN_MONTH[m] if m != 2 else (29 if calendar.isleap(y) else 28)
        if not 1 <= d <= last:
            raise _err(text, f"{calendar.month_name[m]} {y} has {last} days, not {d}")


def _parse_clock(text: str, rest: str, d: date, tzi: tzinfo) -> TimeSpan | None:
    """A time of day after a date: 14, 14:05, 14:05:30.5, 2pm, with an optional offset."""
    m = _TIME_RE.fullmatch(rest)
    if not m:
        return None
    h = int(m.group("h"))
    mi, s, f = m.group("mi"), m.group("s"), m.group("f")
    ampm = (m.group("ampm") or "").replace(".", "").lower()
    if ampm:
        if not 1 <= h <= 12:
            raise _err(text, f"hour {h} is not valid with {ampm}")
        h = h % 12 + (12 if ampm == "pm" else 0)
    if h > 23 or (mi is not None and int(mi) > 59) or (s is not None and int(s) > 59):
        raise _err(text, "the time of day is out of range (00:00-23:59:59)")
    if m.group("tz"):
        tzi = _tz_from_name(m.group("tz").replace(" ", ""))
    micro = int((f or "0").ljust(6, "0")) if f else 0
    start = datetime(d.year, d.month, d.day, h, int(mi or 0), int(s or 0), micro, tzinfo=tzi)
    if s is not None:
        return TimeSpan(
            start, start + (timedelta(0) if f else timedelta(seconds=1) - _MICRO), "second", text
        )
    if mi is not None:
        return TimeSpan(start, start + timedelta(minutes=1) - _MICRO, "minute", text)
    if (
        not ampm
        and not rest.lower().startswith(("at", "around", "about"))
        and ":" not in rest
        and len(m.group("h")) < 2
    ):
        # "2021-07-06 7" is too ambiguous to be an hour.
        return None
    return TimeSpan(start, start + timedelta(hours=1) - _MICRO, "hour", text)


def _daypart_name(rest: str) -> str | None:
    r = rest.strip().lower().rstrip(".")
    for prefix in ("in the ", "during the ", "at ", "on the ", "the "):
        if r.startswith(prefix):
            r = r[len(prefix) :]
            break
    r = r.removesuffix(" local time").strip()
    if r in DAYPARTS:
        return r
    return _DAYPART_ALIASES.get(r)


def _with_rest(text: str, d: date, rest: str | None, tzi: tzinfo) -> TimeSpan:
    if not rest:
        return _day(d, tzi, text)
    rest = rest.strip().strip(",").strip()
    name = _daypart_name(rest)
    if name:
        return _daypart(d, name, tzi, text)
    span = _parse_clock(text, rest, d, tzi)
    if span is not None:
        return span
    raise _err(
        text, f"'{rest}' is neither a time of day (14:00) nor a day part ({', '.join(DAYPARTS)})"
    )


def _parse_iso(text: str, tzi: tzinfo) -> TimeSpan | None:
    m = _ISO_RE.fullmatch(text)
    if not m:
        return None
    y = int(m.group("y"))
    if y < 1000:
        raise _err(text, f"year {y} is out of range")
    rest = m.group("rest")
    if m.group("w"):
        w = int(m.group("w"))
        if not 1 <= w <= date(y, 12, 28).isocalendar()[1]:
            raise _err(text, f"{y} has no ISO week {w}")
        if rest:
            raise _err(text, "a week cannot carry a time of day")
        first = date.fromisocalendar(y, w, 1)
        return _days(first, first + timedelta(days=6), tzi, text, "week")
    if m.group("m") is None:
        if rest:
            raise _err(text, f"'{rest}' after a bare year")
        return _year(y, tzi, text)
    mo = int(m.group("m"))
    d = m.group("d")
    _check_ymd(text, y, mo, int(d) if d else None)
    if d is None:
        if rest:
            raise _err(text, f"'{rest}' after a month needs a day, e.g. {y}-{mo:02d}-06 {rest}")
        return _month(y, mo, tzi, text)
    return _with_rest(text, date(y, mo, int(d)), rest, tzi)


def _check_weekday(text: str, d: date, wd: str | None) -> None:
    if wd and d.weekday() != _WEEKDAYS[wd]:
        raise _err(
            text,
            f"{d.day} {calendar.month_name[d.month]} {d.year} is a {_WEEKDAY_NAMES[d.weekday()]}, not a {_WEEKDAY_NAMES[_WEEKDAYS[wd]]}",
        )


def _infer_year(text: str, mo: int, d: int, anchor_date: date | None) -> int:
    if anchor_date is None:
        raise TimeParseError(
            f"'{text}' has no year: add one (e.g. {d} {calendar.month_name[mo]} 2021) or pass the publication date as anchor"
        )
    y = anchor_date.year
    if mo == 2 and d == 29 and not calendar.isleap(y):
        y -= 1
    if (mo, d) > (anchor_date.month, anchor_date.day):
        y -= 1  # reports describe the past: 28 December read on 3 January is last year
    return y


def _parse_textual(
    text: str, low: str, tzi: tzinfo, anchor_date: date | None
) -> TimeSpan | None:
    m = _MY_RE.fullmatch(low)
    if m:
        y, mo = int(m.group("y")), _MONTHS[m.group("mon")]
        part = m.group("part")
        if not part:
            return _month(y, mo, tzi, text)
        last = calendar.monthrange(y, mo)[1]
        lo, hi = {"early": (1, 10), "mid": (11, 20), "late": (21, last)}[part]
        return _days(date(y, mo, lo), date(y, mo, hi), tzi, text)
    for rx in (_DMY_RE, _MDY_RE):
        m = rx.fullmatch(low)
        if not m:
            continue
        mo, d = _MONTHS[m.group("mon")], int(m.group("d"))
        rest = m.group("rest")
        y_text = m.group("y")
        if y_text is None and rest and re.fullmatch(r"\d{4}\b.*", rest):
            continue
        y = int(y_text) if y_text else _infer_year(text, mo, d, anchor_date)
        _check_ymd(text, y, mo, d)
        day = date(y, mo, d)
        _check_weekday(text, day, m.group("wd"))
        return _with_rest(text, day, rest, tzi)
    return None


def _anchor_local(anchor, tzi: tzinfo) -> tuple[date, datetime]:
    if isinstance(anchor, TimeSpan):
        anchor = anchor.earliest
    if isinstance(anchor, str):
        anchor = parse_time(anchor, tz=tzi).earliest
    if isinstance(anchor, datetime):
        local = anchor.astimezone(tzi) if anchor.tzinfo else anchor.replace(tzinfo=tzi)
        return local.date(), local
    if isinstance(anchor, date):
        return anchor, datetime(anchor.year, anchor.month, anchor.day, tzinfo=tzi)
    raise TypeError(
        f"anchor must be a datetime, date, TimeSpan or ISO string, not {type(anchor).__name__}"
    )


def _anchor_has_time(anchor) -> bool:
    if isinstance(anchor, TimeSpan):
        return anchor.precision in ("hour", "minute", "second")
    if isinstance(anchor, str):
        return parse_time(anchor).precision in ("hour", "minute", "second")
    return isinstance(anchor, datetime)


def _count(word: str) -> int | None:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


def _parse_relative(text: str, low: str, tzi: tzinfo, anchor) -> TimeSpan | None:
    """Phrases anchored to a publication date. Returns None when ``low`` is not relative."""
    if not _looks_relative(low):
        return None
    if anchor is None:
        raise TimeParseError(
            f"'{text}' is relative: pass the publication date as anchor "
            "(e.g. anchor=2021-07-07), or write the resolved date (2021-07-06 afternoon) and keep the phrase in notes"
        )
    ad, anchor_dt = _anchor_local(anchor, tzi)
    low = re.sub(r"\s+local\s+time$", "", low)

    if low in ("last night", "overnight", "during the night", "in the night", "the previous night"):
        return _daypart(ad - timedelta(days=1), "night", tzi, text)
    if low in ("tonight", "this night"):
        return _daypart(ad, "night", tzi, text)
    if low in ("last evening", "yesterday evening"):
        return _daypart(ad - timedelta(days=1), "evening", tzi, text)
    if low in ("earlier today", "today", "this day"):
        return _day(ad, tzi, text)
    m = re.fullmatch(r"this\s+(?P<dp>[a-z -]+)", low)
    if m and _daypart_name(m.group("dp")):
        return _daypart(ad, _daypart_name(m.group("dp")), tzi, text)
    for word, shift in sorted(_DAY_WORDS.items(), key=lambda kv: -len(kv[0])):
        if low == word or low.startswith(word + " "):
            return _with_rest(
                text, ad + timedelta(days=shift), low[len(word) :].strip() or None, tzi
            )
    m = _REL_EARLY_LATE_RE.fullmatch(low)
    if m:
        wd = m.group("wd")
        d = (
            ad + timedelta(days=_DAY_WORDS[wd])
            if wd in _DAY_WORDS
            else _weekday_on_or_before(ad, _WEEKDAYS[wd])
        )
        return _daypart(d, m.group("el"), tzi, text)
    m = _REL_WEEKDAY_RE.fullmatch(low)
    if m:
        target = _WEEKDAYS[m.group("wd")]
        d = _weekday_on_or_before(ad, target)
        if m.group("mod") in ("last", "past", "previous") and d == ad:
            d -= timedelta(days=7)
        return _with_rest(text, d, m.group("rest"), tzi)
    m = _REL_DAYPART_OF_RE.fullmatch(low)
    if m and _daypart_name(m.group("dp")):
        return _daypart(
            _weekday_on_or_before(ad, _WEEKDAYS[m.group("wd")]),
            _daypart_name(m.group("dp")),
            tzi,
            text,
        )
    m = _REL_AGO_RE.fullmatch(low)
    if m and _count(m.group("n")) is not None:
        n, unit = _count(m.group("n")), m.group("unit").rstrip("s")
        if unit == "day":
            return _day(ad - timedelta(days=n), tzi, text)
        if unit == "week":
            first = ad - timedelta(days=7 * n + ad.weekday())
            return _days(first, first + timedelta(days=6), tzi, text, "week")
        y, mo = ad.year, ad.month - n
        while mo < 1:
            y, mo = y - 1, mo + 12
        return _month(y, mo, tzi, text)
    m = _REL_PAST_RE.fullmatch(low)
    if m and _count(m.group("n")) is not None:
        n, unit = _count(m.group("n")), m.group("unit").rstrip("s")
        delta = timedelta(hours=n) if unit == "hour" else timedelta(days=n)
        if _anchor_has_time(anchor):
            start, end = anchor_dt - delta, anchor_dt
        else:  # publication day only: the window may end anywhere in that day
            whole_day = _day(ad, tzi, text)
            start, end = whole_day.earliest - delta, whole_day.latest
        return TimeSpan(start, end, precision_for_width(start, end), text)
    if low in (
        "last week",
        "the previous week",
        "past week",
        "the past week",
        "this week",
        "earlier this week",
    ):
        first = ad - timedelta(days=ad.weekday())
        if low.startswith(("this", "earlier")):
            return _days(first, ad, tzi, text, "week")
        if low in ("past week", "the past week"):
            return _days(ad - timedelta(days=6), ad, tzi, text, "week")
        first -= timedelta(days=7)
        return _days(first, first + timedelta(days=6), tzi, text, "week")
    if low in ("this month", "earlier this month"):
        return _days(date(ad.year, ad.month, 1), ad, tzi, text, "month")
    if low == "last month":
        prev = date(ad.year, ad.month, 1) - timedelta(days=1)
        return _month(prev.year, prev.month, tzi, text)
    if low in ("this year", "earlier this year"):
        return _days(date(ad.year, 1, 1), ad, tzi, text, "year")
    if low == "last year":
        return _year(ad.year - 1, tzi, text)
    return None


_RELATIVE_WORDS = re.compile(
    rf"\b(?:{_WD_RE}|today|tonight|yesterday|overnight|last|this|past|previous|ago|earlier|night)\b"
)


def _looks_relative(low: str) -> bool:
    return bool(_RELATIVE_WORDS.search(low))


def _weekday_on_or_before(d: date, weekday: int) -> date:
    return d - timedelta(days=(d.weekday() - weekday) % 7)


def is_relative(value: str) -> bool:
    """True when ``value`` needs an anchor (publication date) to be resolved.

    >>> is_relative("Tuesday afternoon"), is_relative("2021-07-06 afternoon")
    (True, False)
    """
    low = _normalise(str(value))
    if _ISO_RE.fullmatch(low) or _MY_RE.fullmatch(low):
        return False
    for rx in (_DMY_RE, _MDY_RE):
        m = rx.fullmatch(low)
        if m and m.group("y"):
            return False
    return _looks_relative(low) or bool(_DMY_RE.fullmatch(low) or _MDY_RE.fullmatch(low))


def _normalise(text: str) -> str:
    low = text.strip().lower()
    low = low.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    low = re.sub(r"\s*,\s*", " ", low)
    low = re.sub(r"\s+", " ", low)
    return low.rstrip(".").strip()


# ---- dateparser fallback -------------------------------------------------------------------
_DP_PERIODS = {"year": "year", "month": "month", "week": "week", "day": "day", "time": "minute"}


def _dateparser_parse(text: str, base: datetime):
    try:
        from dateparser.date import DateDataParser
    except ImportError:  # pragma: no cover - dateparser is a declared dependency
        return None
    parser = DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    data = parser.get_date_data(text)
    if data is None or data.date_obj is None:
        return None
    return data.date_obj, data.period


def _parse_fallback(text: str, tzi: tzinfo, anchor) -> TimeSpan | None:
    if not re.search(r"[a-zA-Z]", text) or len(text) > 80:
        return None
    if anchor is not None:
        _, base = _anchor_local(anchor, tzi)
        bases = [base.replace(tzinfo=None)]
    else:
        # Two unrelated bases: if the answer moves with the base, the text was relative.
        bases = [datetime(2003, 3, 14, 12), datetime(2017, 10, 2, 12)]
    results = [_dateparser_parse(text, b) for b in bases]
    if any(r is None for r in results):
        return None
    if len({r[0] for r in results}) > 1:
        raise TimeParseError(f"'{text}' is relative: pass the publication date as anchor")
    obj, period = results[0]
    precision = _DP_PERIODS.get(period or "day", "day")
    local = obj.replace(tzinfo=tzi) if obj.tzinfo is None else obj
    d = local.date()
    if precision == "year":
        return _year(d.year, tzi, text)
    if precision == "month":
        return _month(d.year, d.month, tzi, text)
    if precision == "week":
        first = d - timedelta(days=d.weekday())
        return _days(first, first + timedelta(days=6), local.tzinfo, text, "week")
    if precision == "day":
        return _day(d, local.tzinfo, text)
    start = local.replace(second=0, microsecond=0)
    return TimeSpan(start, start + timedelta(minutes=1) - _MICRO, "minute", text)


# ---- public API ----------------------------------------------------------------------------
def parse_time(value, *, tz: str | tzinfo | None = None, anchor=None) -> TimeSpan:
    """Parse a time value into a :class:`~mapper.model.TimeSpan` (interval + precision).

    Parameters
    ----------
    value : str, datetime, date or TimeSpan
        The time as written in the source. ``text`` of the result keeps it.
    tz : str or tzinfo, optional
        Zone of naive values (IANA name or ``+04:30``); UTC when None.
    anchor : datetime, date or ISO str, optional
        Publication date/time that relative phrases ("Tuesday afternoon",
        "last night") are resolved against, in ``tz`` (or the anchor's own zone).

    Raises
    ------
    TimeParseError
        For impossible dates, unknown wording, or a relative phrase without anchor.

    Examples
    --------
    >>> s = parse_time("2021-07-06 afternoon", tz="Asia/Kabul")
    >>> s.precision, s.earliest.isoformat(), s.latest.isoformat(timespec="seconds")
    ('daypart', '2021-07-06T12:00:00+04:30', '2021-07-06T17:59:59+04:30')
    >>> format_time(parse_time("Tuesday afternoon", anchor=date(2021, 7, 7)))
    '6 Jul 2021, afternoon'
    >>> format_time(parse_time("28 September 2019"))
    '28 Sep 2019'
    >>> parse_time("2021-02-30")
    Traceback (most recent call last):
    ...
    mapper.errors.TimeParseError: '2021-02-30' is not a date (expected ISO 8601, e.g. 2021-07-07 or 2021-07-07T14:00): February 2021 has 28 days, not 30
    >>> parse_time("Tuesday")
    Traceback (most recent call last):
    ...
    mapper.errors.TimeParseError: 'Tuesday' is relative: pass the publication date as anchor (e.g. anchor=2021-07-07), or write the resolved date (2021-07-06 afternoon) and keep the phrase in notes
    """
    if isinstance(value, TimeSpan):
        return value
    tzi = resolve_tz(tz) if tz is not None else UTC
    if isinstance(value, datetime):
        v = value if value.tzinfo else value.replace(tzinfo=tzi)
        return TimeSpan(v, v, "second", value.isoformat())
    if isinstance(value, date):
        return _day(value, tzi, value.isoformat())
    if value is None:
        raise TimeParseError(f"empty time ({_EXPECTED})")
    text = str(value).strip()
    if not text:
        raise TimeParseError(f"empty time ({_EXPECTED})")
    if (
        tz is None
        and anchor is not None
        and isinstance(anchor, datetime)
        and anchor.tzinfo is not None
    ):
        tzi = anchor.tzinfo

    # Fast path: ISO 8601 (the canonical form; 100k values must parse in well under a second).
    if text[:4].isdigit():
        if "/" in text and not _SLASH_DATE_RE.fullmatch(text):
            return _parse_interval(text, tzi, anchor)
        span = _parse_iso(text, tzi)
        if span is not None:
            return span
        if re.fullmatch(r"[\d\s:T.,+/Z-]+", text):
            raise _err(text)
    if _SLASH_DATE_RE.fullmatch(text):
        raise TimeParseError(
            f"'{text}' is ambiguous (day/month or month/day?): write it as ISO 8601, e.g. 2021-07-06"
        )
    if text[:1].isdigit() and re.fullmatch(r"[\d\s:T.,+/Z-]+", text):
        raise _err(text)

    low = _normalise(text)
    span = _parse_textual(
        text, low, tzi, _anchor_local(anchor, tzi)[0] if anchor is not None else None
    )
    if span is not None:
        return span
    span = _parse_relative(text, low, tzi, anchor)
    if span is not None:
        return span
    span = _parse_fallback(text, tzi, anchor)
    if span is not None:
        return span
    raise _err(text, "not a date, a month, a day part or a phrase such as 'Tuesday afternoon'")


def _parse_interval(text: str, tzi: tzinfo, anchor) -> TimeSpan:
    left, _, right = text.partition("/")
    try:
        a = parse_time(left, tz=tzi, anchor=anchor)
        b = parse_time(right, tz=tzi, anchor=anchor)
    except TimeParseError as err:
        raise TimeParseError(f"'{text}' is not an interval start/end: {err}") from err
    if b.latest < a.earliest:
        raise TimeParseError(
            f"'{text}' ends before it starts (expected start/end, e.g. 2021-07-06/2021-07-08)"
        )
    return TimeSpan(a.earliest, b.latest, precision_for_width(a.earliest, b.latest), text)


def _is_day_start(dt: datetime) -> bool:
    return dt.hour == 0 and dt.minute == 0 and dt.second == 0 and dt.microsecond == 0


def _is_day_end(dt: datetime) -> bool:
    return (dt + _MICRO).hour == 0 and _is_day_start(dt + _MICRO)


def _daypart_of(span: TimeSpan) -> str | None:
    d = span.earliest.date()
    tzi = span.earliest.tzinfo
    for name, (h0, h1) in DAYPARTS.items():
        if span.earliest == _dt(d, h0, tzi) and span.latest == _dt(d, h1, tzi) - _MICRO:
            return name
    return None


def _shape(span: TimeSpan) -> tuple:
    """What a span exactly is: ('year', y) / ('month', y, m) / ('week', y, w) / ('day', d) / ..."""
    e, l = span.earliest, span.latest
    tzi = e.tzinfo
    if l.tzinfo is not tzi:
        l = l.astimezone(tzi)
    if _is_day_start(e) and _is_day_end(l):
        first, last = e.date(), l.date()
        if first == last:
            return ("day", first)
        if (
            first.month == 1
            and first.day == 1
            and last.month == 12
            and last.day == 31
            and first.year == last.year
        ):
            return ("year", first.year)
        if (
            first.day == 1
            and (first.year, first.month) == (last.year, last.month)
            and last.day == calendar.monthrange(last.year, last.month)[1]
        ):
            return ("month", first.year, first.month)
        if first.weekday() == 0 and last - first == timedelta(days=6):
            iso = first.isocalendar()
            return ("week", iso[0], iso[1], first, last)
        return ("days", first, last)
    name = _daypart_of(span)
    if name:
        return ("daypart", e.date(), name)
    if (
        l - e == timedelta(hours=1) - _MICRO
        and e.minute == 0
        and e.second == 0
        and e.microsecond == 0
    ):
        return ("hour", e)
    if l - e == timedelta(minutes=1) - _MICRO and e.second == 0 and e.microsecond == 0:
        return ("minute", e)
    if l - e == timedelta(seconds=1) - _MICRO and e.microsecond == 0:
        return ("second", e)
    if l == e:
        return ("instant", e)
    return ("range", e, l)


def _day_label(d: date) -> str:
    return f"{d.day} {_MONTH_ABBR[d.month]} {d.year}"


def format_time(span: TimeSpan, *, show_tz: bool = False) -> str:
    """A human label that keeps the precision: "6 Jul 2021, afternoon", "Jul 2021", "7 Jul 2021, 18:00".

    Times are shown in the span's own zone; ``show_tz`` appends it ("UTC+04:30").

    Examples
    --------
    >>> format_time(parse_time("2021-07"))
    'Jul 2021'
    >>> format_time(parse_time("2021-07-07T18:00"))
    '7 Jul 2021, 18:00'
    >>> format_time(parse_time("2015-04-19/2015-04-20"))
    '19–20 Apr 2015'
    >>> format_time(parse_time("2021-07-07 14:00+04:30"), show_tz=True)
    '7 Jul 2021, 14:00 (UTC+04:30)'
    """
    shape = _shape(span)
    kind = shape[0]
    if kind == "year":
        label = str(shape[1])
    elif kind == "month":
        label = f"{_MONTH_ABBR[shape[2]]} {shape[1]}"
    elif kind == "day":
        label = _day_label(shape[1])
    elif kind in ("week", "days"):
        first, last = (shape[3], shape[4]) if kind == "week" else (shape[1], shape[2])
        label = _range_label(first, last)
    elif kind == "daypart":
        label = f"{_day_label(shape[1])}, {shape[2]}"
    elif kind == "hour":
        label = f"{_day_label(shape[1].date())}, {shape[1]:%H}h"
    elif kind == "minute":
        label = f"{_day_label(shape[1].date())}, {shape[1]:%H:%M}"
    elif kind in ("second", "instant"):
        e = shape[1]
        label = f"{_day_label(e.date())}, {e:%H:%M:%S}"
    else:
        e, l = shape[1], shape[2]
        label = f"{_day_label(e.date())}, {e:%H:%M} – {_day_label(l.date())}, {(l + _MICRO):%H:%M}"
        if e.date() == l.date():
            label = f"{_day_label(e.date())}, {e:%H:%M}–{(l + _MICRO):%H:%M}"
    if show_tz and kind not in ("year", "month", "week", "days", "day"):
        off = span.earliest.utcoffset() or timedelta(0)
        label += f" (UTC{_format_offset(off)})" if off else " (UTC)"
    return label


def _range_label(first: date, last: date) -> str:
    if first.day == 1 and last.day == calendar.monthrange(last.year, last.month)[1]:
        if first.year == last.year:
            return f"{_MONTH_ABBR[first.month]}–{_MONTH_ABBR[last.month]} {last.year}"
        return f"{_MONTH_ABBR[first.month]} {first.year} – {_MONTH_ABBR[last.month]} {last.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {_MONTH_ABBR[last.month]} {last.year}"
    if first.year == last.year:
        return f"{first.day} {_MONTH_ABBR[first.month]} – {last.day} {_MONTH_ABBR[last.month]} {last.year}"
    return f"{_day_label(first)} – {_day_label(last)}"


def span_to_iso(span: TimeSpan) -> str:
    """Canonical, parseable text for a span in its own zone (pair it with :func:`span_tz_name`).

    ``parse_time(span_to_iso(s), tz=span_tz_name(s) or None)`` gives back the same
    ``earliest``, ``latest`` and ``precision``.

    Examples
    --------
    >>> span_to_iso(parse_time("6 Jul 2021, afternoon"))
    '2021-07-06 afternoon'
    >>> span_to_iso(parse_time("28 September 2019"))
    '2019-09-28'
    >>> span_to_iso(parse_time("2015-04-19/2015-04-20"))
    '2015-04-19/2015-04-20'
    """
    shape = _shape(span)
    kind = shape[0]
    if kind == "year":
        return f"{shape[1]:04d}"
    if kind == "month":
        return f"{shape[1]:04d}-{shape[2]:02d}"
    if kind == "week":
        return f"{shape[1]:04d}-W{shape[2]:02d}"
    if kind == "day":
        return shape[1].isoformat()
    if kind == "days":
        return f"{shape[1].isoformat()}/{shape[2].isoformat()}"
    if kind == "daypart":
        return f"{shape[1].isoformat()} {shape[2]}"
    if kind == "hour":
        return f"{shape[1]:%Y-%m-%dT%H}"
    if kind == "minute":
        return f"{shape[1]:%Y-%m-%dT%H:%M}"
    if kind == "second":
        return f"{shape[1]:%Y-%m-%dT%H:%M:%S}"
    if kind == "instant":
        e = shape[1]
        return e.replace(tzinfo=None).isoformat(timespec="microseconds")
    e, l = shape[1], shape[2]
    tzi = e.tzinfo
    l = l.astimezone(tzi) if l.tzinfo is not tzi else l
    return (
        f"{e.replace(tzinfo=None).isoformat(timespec='microseconds')}/"
        f"{l.replace(tzinfo=None).isoformat(timespec='microseconds')}"
    )
