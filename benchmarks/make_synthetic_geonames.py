"""Write synthetic GeoNames dump files in the official formats, for tests and the load benchmark.

The real ``allCountries`` / ``AF.txt`` dumps are not at hand here, so this
writes files of the same *shape*: the 19 tab-separated columns of the
``geoname`` table (geonameid, name, asciiname, alternatenames, latitude,
longitude, feature class, feature code, country code, cc2, admin1..admin4
codes, population, elevation, dem, timezone, modification date) and the 10
columns of ``alternateNamesV2`` (alternateNameId, geonameid, isolanguage,
alternate name, isPreferredName, isShortName, isColloquial, isHistoric, from,
to). Names are made of Persian/Pashto-like syllables with the izafe and
``Qala``/``Deh``/``Kalay`` patterns of the region (most unique or shared by a
few rows, 2% from a pool of 3,000 very common names); feature classes follow the
real allCountries mix (P 37%, S 18%, H 18%, T 12%, L 4%, A 3%, V/R/U rest);
~25% of rows carry comma-separated alternates (a few carry dozens, as large
places do). Admin codes come from the real ``admin1CodesASCII.txt`` /
``admin2Codes.txt`` when given (``--admin-codes DIR``), so rows link to real
provinces and districts; coordinates fall inside each country's bounding box.

Nothing here is real data: it measures load speed and exercises the parser.

Usage::

    .venv/bin/python benchmarks/make_synthetic_geonames.py --rows 1000000 --out /tmp/gn \\
        [--countries AF,TJ,...] [--zip] [--alternates 500000] [--admin-codes ../shared/data/geonames]
"""

from __future__ import annotations

import argparse
import random
import zipfile
from pathlib import Path

#: (min_lon, min_lat, max_lon, max_lat) of some countries; other codes get a random box.
BBOXES = {
    "AF": (60.5, 29.4, 74.9, 38.5), "TJ": (67.4, 36.7, 75.1, 41.0), "PK": (60.9, 23.7, 77.8, 37.1),
    "IR": (44.0, 25.1, 63.3, 39.8), "UZ": (56.0, 37.2, 73.1, 45.6), "TM": (52.4, 35.1, 66.7, 42.8),
    "SY": (35.7, 32.3, 42.4, 37.3), "IQ": (38.8, 29.1, 48.6, 37.4), "YE": (42.6, 12.6, 53.1, 19.0),
    "UA": (22.1, 44.4, 40.2, 52.4), "SO": (40.9, -1.7, 51.4, 12.0), "ML": (-12.2, 10.2, 4.3, 25.0),
    "NG": (2.7, 4.3, 14.7, 13.9), "CD": (12.2, -13.5, 31.3, 5.4), "SD": (21.8, 8.7, 38.6, 22.2),
    "US": (-124.7, 25.1, -66.9, 49.4), "CN": (73.5, 18.2, 134.8, 53.6), "RU": (27.3, 41.2, 179.0, 77.7),
    "IN": (68.1, 6.7, 97.4, 35.5), "BR": (-73.9, -33.8, -34.8, 5.3), "MM": (92.2, 9.8, 101.2, 28.5),
    "LY": (9.3, 19.5, 25.2, 33.2), "ET": (33.0, 3.4, 48.0, 14.9), "CO": (-79.0, -4.2, -66.9, 12.5),
}
DEFAULT_COUNTRIES = tuple(BBOXES)

FEATURE_MIX = [  # (class, codes, weight) roughly as in allCountries
    ("P", ("PPL", "PPL", "PPL", "PPL", "PPLL", "PPLA3", "PPLA2", "PPLX", "PPLQ", "PPLH", "PPLW"), 37),
    ("S", ("FRM", "MSQE", "SCH", "AIRP", "MIL", "PRN", "BDG", "CMP", "FT", "CSTM", "RSTN", "BRKS"), 18),
    ("H", ("STM", "STMI", "WLL", "SPNG", "CNL", "LK", "RSV", "STMD"), 18),
    ("T", ("MT", "HLL", "PASS", "VAL", "PLN", "RDGE", "GRGE", "PK", "DSRT"), 12),
    ("L", ("AREA", "LCTY", "RGN", "OAS", "FLD", "GRAZ"), 4),
    ("A", ("ADM2", "ADM3", "ADM4", "ADMD"), 3),
    ("V", ("FRST", "SCRB", "VIN"), 3),
    ("R", ("RD", "TNL", "RDJCT", "BDG"), 3),
    ("U", ("SMU", "TRGU"), 2),
]
SYLLABLES = ("qal", "ghor", "kan", "deh", "bagh", "khan", "naw", "zar", "shah", "mir", "sang", "kot", "abad",
             "dar", "pul", "sar", "gul", "band", "tak", "jan", "zai", "khel", "mur", "gah", "lash", "char",
             "kar", "bad", "nur", "rud", "chin", "tar", "pa", "ya", "ka", "sha", "ra", "na", "ma", "wa", "ha",
             "bur", "dum", "fer", "gol", "hes", "jol", "kus", "lor", "mas", "nik", "pir", "qar", "ros", "sul",
             "tol", "vak", "wur", "zam", "bel", "dow", "gan", "hor", "kal", "les", "mon", "nam", "ord", "pis")
#: Share of rows named from a small pool of very common names (like "Mill Creek" or "Kalay" in the
#: real dump, which recur thousands of times); the rest follow the syllable model, where a row's
#: name is unique or shared by a handful of rows, as most GeoNames names are.
COMMON_SHARE, COMMON_POOL = 0.02, 3000
PREFIXES = ("Qala-e ", "Deh-e ", "Kalay ", "Pul-e ", "Sar-e ", "Bala ", "Payin ", "Chah-e ", "", "", "", "", "", "")
SUFFIXES = ("", "", "", "", " Kalay", " Khel", "abad", " Bazar", " Kot", "i", "")
LANGS = ("fa", "ps", "en", "ru", "ar", "uz", "tg", "", "", "link", "post", "iata", "wkdt")


def _name(rng, common=()) -> str:
    if common and rng.random() < COMMON_SHARE:
        return rng.choice(common)
    k = rng.random()
    n = 1 if k < 0.05 else (2 if k < 0.5 else 3)
    core = "".join(rng.choice(SYLLABLES) for _ in range(n))
    return (rng.choice(PREFIXES) + core.capitalize() + rng.choice(SUFFIXES)).strip()


def _variants(rng, name: str, n: int) -> list:
    out = []
    for _ in range(n):
        v = name
        for a, b in rng.sample([("a", "e"), ("u", "o"), ("-e ", "-i-"), ("Qala", "Kala"), ("w", "v"), ("i", "y"),
                                ("-e ", " "), ("kh", "x"), ("q", "k")], 2):
            v = v.replace(a, b, 1)
        out.append(v)
    return out


def _admin_codes(folder):
    a1, a2 = {}, {}
    if folder is None:
        return a1, a2
    with open(Path(folder) / "admin1CodesASCII.txt", encoding="utf-8") as fh:
        for line in fh:
            cc, _, c1 = line.split("\t", 1)[0].partition(".")
            a1.setdefault(cc, []).append(c1)
    with open(Path(folder) / "admin2Codes.txt", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split("\t", 1)[0].split(".")
            if len(parts) == 3:
                a2.setdefault((parts[0], parts[1]), []).append(parts[2])
    return a1, a2


def generate(out_dir: Path, rows: int, *, countries=DEFAULT_COUNTRIES, stem="allCountries", zip_it=False,
             alternates=0, admin_codes=None, seed=4, first_id=20_000_000) -> dict:
    """Write ``<stem>.txt`` (or ``.zip``) and optionally ``alternateNamesV2.txt``; return paths and counts."""
    rng = random.Random(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    a1codes, a2codes = _admin_codes(admin_codes)
    classes = [(c, codes) for c, codes, w in FEATURE_MIX for _ in range(w)]
    common = [_name(rng) for _ in range(COMMON_POOL)]
    txt = out_dir / f"{stem}.txt"
    ids = []
    with open(txt, "w", encoding="utf-8", newline="\n") as fh:
        for i in range(rows):
            gid = first_id + i
            cc = rng.choice(countries)
            x0, y0, x1, y1 = BBOXES.get(cc, (-10.0, -10.0, 10.0, 10.0))
            lat, lon = rng.uniform(y0, y1), rng.uniform(x0, x1)
            fclass, codes = rng.choice(classes)
            fcode = rng.choice(codes)
            name = _name(rng, common)
            k = rng.random()
            n_alt = 0 if k < 0.75 else (rng.randint(1, 3) if k < 0.98 else rng.randint(10, 60))
            alts = _variants(rng, name, n_alt)
            a1 = rng.choice(a1codes.get(cc, ["00", "01", "02", "03"]))
            a2 = rng.choice(a2codes.get((cc, a1), [""])) if fclass != "A" or fcode != "ADM1" else ""
            pop = int(rng.paretovariate(1.2) * 200) if fclass == "P" and rng.random() < 0.4 else 0
            ascii_name = name.encode("ascii", "ignore").decode()
            fh.write("\t".join((
                str(gid), name, ascii_name, ",".join(alts), f"{lat:.5f}", f"{lon:.5f}", fclass, fcode, cc, "",
                a1, a2, "", "", str(pop), "", str(rng.randint(200, 3500)), "Asia/Kabul", "2024-01-15",
            )) + "\n")
            if alternates:
                ids.append(gid)
    paths = {"dump": txt}
    if zip_it:
        zpath = out_dir / f"{stem}.zip"
        with zipfile.ZipFile(zpath, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.write(txt, arcname=txt.name)
        txt.unlink()
        paths["dump"] = zpath
    if alternates:
        alt = out_dir / "alternateNamesV2.txt"
        with open(alt, "w", encoding="utf-8", newline="\n") as fh:
            for j in range(alternates):
                gid = rng.choice(ids)
                lang = rng.choice(LANGS)
                name = _name(rng) if lang not in ("link", "post", "iata", "wkdt") else (
                    f"https://en.wikipedia.org/wiki/X{j}" if lang == "link" else f"{rng.randint(1000, 9999)}")
                hist = "1" if rng.random() < 0.03 else ""
                fh.write("\t".join((str(1_000_000 + j), str(gid), lang, name, "", "", "", hist, "", "")) + "\n")
        paths["alternates"] = alt
    return {"paths": {k: str(v) for k, v in paths.items()}, "rows": rows, "alternates": alternates}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--stem", default="allCountries", help="file name without extension (e.g. AF)")
    ap.add_argument("--countries", default=",".join(DEFAULT_COUNTRIES))
    ap.add_argument("--zip", action="store_true", help="write <stem>.zip as GeoNames does")
    ap.add_argument("--alternates", type=int, default=0, help="rows of alternateNamesV2.txt to write")
    ap.add_argument("--admin-codes", type=Path, help="folder with admin1CodesASCII.txt and admin2Codes.txt")
    ap.add_argument("--seed", type=int, default=4)
    args = ap.parse_args(argv)
    info = generate(args.out, args.rows, countries=tuple(c.strip().upper() for c in args.countries.split(",")),
                    stem=args.stem, zip_it=args.zip, alternates=args.alternates, admin_codes=args.admin_codes,
                    seed=args.seed)
    print(info)


if __name__ == "__main__":
    main()
