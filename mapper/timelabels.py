"""Time labels and time arguments: how every output writes an instant, and how options are read.

One owner for the "as of" wording the maps, the static images and the descriptions share
(``7 Jul 2021, 07:30 UTC (12:00 at UTC+04:30)``), for the local zone they show (the UTC offset of
most claims), and for turning ``--at``/``--from``/``--to``/``--steps`` values and ``--window``
hours into aware datetimes and timedeltas.

Examples
--------
>>> parse_when("2021-07-07T18:00").isoformat()
'2021-07-07T18:00:00+00:00'
>>> parse_when("2021-07-07", end=True).isoformat()
'2021-07-07T23:59:59.999999+00:00'
>>> parse_window(None), parse_window(24)
(datetime.timedelta(days=3), datetime.timedelta(days=1))
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta, timezone

from mapper.errors import MapperError
from mapper.timeline import DEFAULT_WINDOW, Timeline, _aware

log = logging.getLogger(__name__)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local_offset_minutes(timeline: Timeline) -> int:
    """UTC offset (minutes) of most claims' times: the zone the maps show local time in.

    The same rule as the interactive map (``local_offset_minutes`` in its data).
    """
    offsets = Counter(
        int((e.claim.time.earliest.utcoffset() or timedelta(0)).total_seconds() // 60)
        for e in timeline.entries
        if e.derived_from is None and e.claim.time.earliest.tzinfo is not None
    )
    return offsets.most_common(1)[0][0] if offsets else 0


def format_utc(t: datetime) -> str:
    """``7 Jul 2021, 07:30 UTC`` (the interactive map's "as of" format).

    Examples
    --------
    >>> format_utc(datetime(2021, 7, 7, 12, 0, tzinfo=timezone(timedelta(hours=4, minutes=30))))
    '7 Jul 2021, 07:30 UTC'
    """
    u = _aware(t).astimezone(timezone.utc)
    return f"{u.day} {MONTHS[u.month - 1]} {u.year}, {u:%H:%M} UTC"


def format_local(t: datetime, offset_minutes: int) -> str:
    """``12:00 at UTC+04:30`` (with `` on 8 Jul`` when the local date differs); "" for UTC.

    Examples
    --------
    >>> format_local(datetime(2021, 7, 7, 7, 30, tzinfo=timezone.utc), 270)
    '12:00 at UTC+04:30'
    >>> format_local(datetime(2021, 7, 7, 22, 0, tzinfo=timezone.utc), 270)
    '02:30 on 8 Jul at UTC+04:30'
    >>> format_local(datetime(2021, 7, 7, 22, 0, tzinfo=timezone.utc), 0)
    ''
    """
    if not offset_minutes:
        return ""
    u = _aware(t).astimezone(timezone.utc)
    loc = u + timedelta(minutes=offset_minutes)
    sign = "-" if offset_minutes < 0 else "+"
    a = abs(offset_minutes)
    text = f"{loc:%H:%M}"
    if loc.date() != u.date():
        text += f" on {loc.day} {MONTHS[loc.month - 1]}"
    return text + f" at UTC{sign}{a // 60:02d}:{a % 60:02d}"


def as_of_label(t: datetime, offset_minutes: int = 0) -> str:
    """``7 Jul 2021, 07:30 UTC (12:00 at UTC+04:30)``: UTC first, as the interactive map shows it.

    Examples
    --------
    >>> as_of_label(datetime(2021, 7, 7, 7, 30, tzinfo=timezone.utc), 270)
    '7 Jul 2021, 07:30 UTC (12:00 at UTC+04:30)'
    """
    local = format_local(t, offset_minutes)
    return format_utc(t) + (f" ({local})" if local else "")


def claim_time_label(span, *, show_tz: bool = False) -> str:
    """A claim's time with its precision kept ("6 Jul 2021, afternoon"), as popups and
    descriptions show it; ``show_tz`` appends the span's zone ("UTC+04:30"), as the map does.

    Falls back to the source's own wording, then to the UTC label, for a span
    :func:`mapper.timespan.format_time` cannot word (a hand-made span without a precision).
    """
    from mapper.timespan import format_time

    try:
        return format_time(span, show_tz=show_tz)
    except (KeyError, ValueError, TypeError, AttributeError) as err:  # a label must never break a description
        log.debug("format_time failed for %r: %s", span, err)
    if span.text:
        return span.text
    return format_utc(span.earliest)


def parse_when(value, *, end: bool = False, tz=None) -> datetime | None:
    """A time option (``--at``, ``--from``, ``--to``, ``--steps``) as an aware datetime, or None.

    A datetime is taken as it is (UTC when naive); text is read by :func:`mapper.timespan.parse_time`
    and gives the earliest instant of its span, or the latest with ``end``. Raises
    :class:`~mapper.errors.MapperError` naming the value when it is not a time.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _aware(value)
    from mapper.timespan import parse_time

    try:
        span = parse_time(str(value), tz=tz)
    except MapperError as err:
        raise MapperError(f"time {value!r} not understood: {err}") from err
    return _aware(span.latest if end else span.earliest)


def parse_window(value, default=DEFAULT_WINDOW) -> timedelta | None:
    """Hours (a number) or a timedelta as a timedelta; None gives ``default``.

    Raises :class:`~mapper.errors.MapperError` for a value that is not a positive number of hours.
    """
    if value is None:
        return default
    if isinstance(value, timedelta):
        return value
    hours = float(value)
    if not hours > 0:
        raise MapperError(f"window must be a positive number of hours, got {value!r} (e.g. 72)")
    return timedelta(hours=hours)


__all__ = [
    "MONTHS",
    "as_of_label",
    "claim_time_label",
    "format_local",
    "format_utc",
    "local_offset_minutes",
    "parse_when",
    "parse_window",
]
