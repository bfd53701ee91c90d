"""The golden cases of the timeline rules (tests/data/timeline_golden.json) as Timelines.

Shared by the pure-Python test and the browser test, which render the same cases to pages.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mapper.actors import Actors
from mapper.model import Claim, Origin, TimeSpan
from mapper.timeline import MapPlace, Timeline

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "timeline_golden.json"


def load() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def cases() -> list:
    return load()["cases"]


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _hours(value):
    return None if value is None else timedelta(hours=value)


def options(case: dict) -> dict:
    opts = dict(load()["defaults"])
    opts.update(case.get("options", {}))
    return {
        "window": _hours(opts["incident_window_hours"]),
        "dispute_window": _hours(opts["dispute_window_hours"]),
        "stale_after": None if opts["stale_after_days"] is None else timedelta(days=opts["stale_after_days"]),
    }


def timeline(case: dict, actors: Actors | None = None) -> Timeline:
    places = {k: MapPlace(k, p["name"], p["kind"], "point", 10.0 + i, 20.0 + i, country=p.get("country", ""))
              for i, (k, p) in enumerate(case["places"].items())}
    pairs = []
    for row, c in enumerate(case["claims"], start=1):
        t0 = when(c["time"])
        span = TimeSpan(t0, when(c["latest"]) if "latest" in c else t0, "minute", c["time"])
        end = TimeSpan(when(c["time_end"]), when(c["time_end"]), "minute", c["time_end"]) if "time_end" in c else None
        claim = Claim(places[c["place"]].name, span, c["status"], id=f"{case['id']}-{row}", actor=c.get("actor", ""),
                      claimant=c["claimant"], status_raw=c.get("status_raw", ""), scope=c.get("scope", ""),
                      time_end=end, origin=Origin("golden.csv", row, "csv"))
        pairs.append((claim, c["place"]))
    return Timeline(pairs, places, actors=actors if actors is not None else Actors.default(), **options(case))


def expected(query: dict, tl: Timeline) -> dict:
    """The query's expectation with actor names as the timeline's actor registry spells them."""
    def name(n):
        a = tl.actors.resolve(n)
        return a.name if a else n

    label = query["label"]
    for n in sorted({a for a in query["actors"]}, key=len, reverse=True):
        label = label.replace(n, name(n))
    return {"status": query["status"], "label": label, "actors": [name(a) for a in query["actors"]],
            "age": query["age"], "stale": query.get("stale", False)}
