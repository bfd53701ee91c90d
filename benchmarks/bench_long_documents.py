"""Geoparsing one long document: time and peak memory against length (10 KB ... 2 MB).

The documents are synthetic war reporting written for this benchmark (place names from
Ukraine, Syria, Sudan, the Sahel, Myanmar, DRC, Yemen, Gaza, Afghanistan, Iraq, Libya), in
paragraphs, or with ``--one-line`` as a single line with no breaks at all. Each length runs
in a fresh Python process with the same opened gazetteer, so memos start empty:

* ``seconds``: wall time of ``Geoparser.parse`` on the document (first parse, cold memos);
* ``peak_mb``: tracemalloc peak of a second parse of the same document (the working memory
  one document needs; the gazetteer and scanning index loaded before are not counted);
* ``us_per_char``: seconds / characters, which stays flat when growth is linear.

Usage::

    .venv/bin/python benchmarks/bench_long_documents.py [--data-dir DIR]
        [--sizes 10000,100000,1000000,2000000] [--one-line] [--speakers] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

DEFAULT_SIZES = (10_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000)

PLACES = (
    "Kharkiv", "Izium", "Bakhmut", "Kherson", "Aleppo", "Idlib", "Raqqa", "Deir ez-Zor", "Khartoum",
    "El Fasher", "Omdurman", "Nyala", "Gao", "Timbuktu", "Mopti", "Menaka", "Mandalay", "Sagaing", "Lashio",
    "Goma", "Bunia", "Beni", "Rutshuru", "Marib", "Taiz", "Hodeidah", "Aden", "Rafah", "Khan Younis", "Jenin",
    "Kunduz", "Herat", "Kandahar", "Lashkar Gah", "Mosul", "Fallujah", "Tripoli", "Sirte", "Benghazi",
)
ACTORS = ("government forces", "rebel fighters", "the militia", "armed groups", "the army", "local volunteers",
          "a coalition of factions", "security forces")
VERBS = ("captured", "shelled", "withdrew from", "advanced towards", "retook", "surrounded", "entered",
         "claimed control of")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: ``--speakers``: people quoted by name, whose surnames are also town names ("Lena Kingston"), so
#: every sentence asks the parser whether a town after a given name is a person.
GIVEN = ("Dave", "Jing", "Omar", "Lena", "Ivan", "Rosa", "Amir", "Nadia", "Kofi", "Maria")
SURNAMES = ("Allen", "Chen", "Grayson", "Holloway", "Kingston", "Mansfield", "Salah", "Preston")


def sentence(rng: random.Random, speakers: bool = False) -> str:
    p, q = rng.sample(PLACES, 2)
    who = f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" if speakers else "officials and residents"
    return (f"On {rng.choice(DAYS)} {rng.choice(ACTORS)} {rng.choice(VERBS)} {p}, about "
            f"{rng.randint(5, 120)} km from {q}, according to {who}. ")


def document(n_chars: int, *, seed: int = 0, one_line: bool = False, speakers: bool = False) -> str:
    """A synthetic report of exactly ``n_chars`` characters."""
    rng = random.Random(seed)
    parts, size = [], 0
    while size < n_chars:
        para = "".join(sentence(rng, speakers) for _ in range(rng.randint(3, 6))).strip()
        para += " " if one_line else "\n\n"
        parts.append(para)
        size += len(para)
    return "".join(parts)[:n_chars]


_CHILD = r"""
import json, sys, time, tracemalloc
sys.path.insert(0, sys.argv[1])
from bench_long_documents import document
from gazetteer import Gazetteer
from mapper.geoparse import Geoparser
n, one_line, data_dir, speakers = int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] or None, sys.argv[5] == "1"
gz = Gazetteer.open(data_dir, build=False)
gp = Geoparser(gz)
gp.parse("Warm-up: the scanning index is loaded before timing, in Kabul.")
text = document(n, one_line=one_line, speakers=speakers)
t0 = time.perf_counter()
mentions = gp.parse(text)
seconds = time.perf_counter() - t0
tracemalloc.start()
gp.parse(text)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({"chars": n, "mentions": len(mentions), "seconds": round(seconds, 3),
                  "peak_mb": round(peak / 2**20, 1), "us_per_char": round(seconds / n * 1e6, 2)}))
"""


def measure(n: int, *, one_line: bool, data_dir: str, speakers: bool = False) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(Path(__file__).parent), str(n), "1" if one_line else "0", data_dir,
         "1" if speakers else "0"],
        capture_output=True, text=True, cwd=str(REPO), timeout=3600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"child failed for {n} chars:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="", help="gazetteer folder (default: the per-user one)")
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="document lengths in characters")
    ap.add_argument("--one-line", action="store_true", help="no line breaks in the document")
    ap.add_argument("--speakers", action="store_true",
                    help="name a person in every sentence, with a surname that is also a town")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = ap.parse_args(argv)
    rows = []
    print(f"{'chars':>10} {'mentions':>9} {'seconds':>9} {'us/char':>8} {'peak MB':>8}")
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        r = measure(n, one_line=args.one_line, data_dir=args.data_dir, speakers=args.speakers)
        rows.append(r)
        print(f"{r['chars']:>10,} {r['mentions']:>9,} {r['seconds']:>9.2f} {r['us_per_char']:>8.2f} "
              f"{r['peak_mb']:>8.1f}", flush=True)
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        print(f"time grew {b['seconds'] / a['seconds']:.1f}x for {b['chars'] / a['chars']:.0f}x the length")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
