"""Lone lookalikes on real text: the development corpora's gold toponym names that the gazetteer
matches only inexactly, resolved alone (no hint, no context), and whether the answer is right.

For every distinct gold name (with coordinates) of the five development corpora whose best
candidate is a variant or fuzzy match, the script counts answers by status (resolved/ambiguous
vs not_found) and by whether the first candidate lies within 161 km of one of the name's gold
points, and lists the right answers that are not_found. Needs ``../shared/data/geoparse``.

Usage::

    .venv/bin/python benchmarks/lone_lookalikes.py [--data-dir DIR] [--corpora geowebnews,trnews,...]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA_DIR = REPO.parent / "shared" / "data" / "geoparse"
sys.path.insert(0, str(REPO))

ACC_KM = 161
DEFAULT_CORPORA = "geowebnews,trnews,lgl,geovirus,tud_loc2013"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--corpora", default=DEFAULT_CORPORA)
    args = ap.parse_args(argv)
    from gazetteer import Gazetteer, haversine_km
    from mapper.evaluate import read_documents

    gz = Gazetteer.open(args.data_dir, build=False)
    points: dict = {}
    for corpus in args.corpora.split(","):
        for doc in read_documents(CORPORA_DIR / f"{corpus}.jsonl"):
            for t in doc.toponyms:
                if t.has_coordinates:
                    points.setdefault(t.name, []).append((t.lat, t.lon))
    counts: Counter = Counter()
    lost = []
    for name, pts in sorted(points.items()):
        res = gz.resolve(name)
        top = res.candidates[0] if res.candidates else None
        if top is None or top.match == "exact" or top.place.lat is None:
            continue
        right = any(haversine_km(top.place.lat, top.place.lon, la, lo) <= ACC_KM for la, lo in pts)
        status = "not_found" if res.status == "not_found" else "resolved"
        counts[(status, right)] += 1
        if status == "not_found" and right:
            lost.append(name)
    resolved = counts[("resolved", True)] + counts[("resolved", False)]
    print(f"names matched only inexactly: {sum(counts.values())}")
    print(f"resolved: {resolved} (right {counts[('resolved', True)]}, wrong {counts[('resolved', False)]}); "
          f"not_found: {counts[('not_found', True)] + counts[('not_found', False)]} "
          f"(first candidate right {counts[('not_found', True)]})")
    if resolved:
        print(f"precision of the lone resolutions: {counts[('resolved', True)] / resolved:.1%}")
    print("right first candidates left as suggestions: " + "; ".join(lost))
    return 0


if __name__ == "__main__":
    sys.exit(main())
