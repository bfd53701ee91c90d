"""GeoNames dump loader on files of the official shape (synthetic rows, real admin code tables)."""

import hashlib
import importlib.util
import sqlite3
import zipfile
from pathlib import Path

import pytest

from gazetteer import Gazetteer, SourceDataError
from gazetteer.sources import remove_source
from gazetteer.sources.geonames import add_geonames, classify, kind_of

REPO = Path(__file__).resolve().parents[2]
QALA_I_NAW = 1129867


def _generator():
    spec = importlib.util.spec_from_file_location("make_synthetic_geonames",
                                                  REPO / "benchmarks" / "make_synthetic_geonames.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rows(folder, sql, params=()):
    conn = sqlite3.connect(folder / "gazetteer.sqlite")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _row(gid, name, lat, lon, fclass, fcode, cc="AF", a1="02", a2="", alts="", pop=0, ascii_name=None):
    cols = [str(gid), name, ascii_name if ascii_name is not None else name, alts, f"{lat}", f"{lon}", fclass, fcode,
            cc, "", a1, a2, "", "", str(pop), "", "900", "Asia/Kabul", "2024-01-15"]
    assert len(cols) == 19
    return "\t".join(cols) + "\n"


#: Hand-made AF rows in the official 19-column layout: one per feature class, a cities500
#: place that must be enriched (not duplicated), an ADM2 unit, and rows that link by admin code.
HAND_ROWS = [
    _row(90000001, "Qala-e Naw Airfield", 34.99, 63.12, "S", "AIRF", alts="Qala Nau Airport,QLN"),
    _row(90000002, "Darrah-ye Murghab", 35.5, 63.4, "T", "VAL", alts="Murghab Valley"),
    _row(90000003, "Kotal-e Sabzak", 34.83, 62.9, "T", "PASS", alts="Sabzak Pass"),
    _row(90000004, "Rud-e Murghab", 35.6, 63.3, "H", "STM"),
    _row(90000005, "Chahar Dara Bazaar", 35.1, 63.3, "P", "PPL", pop=1200),
    _row(90000006, "Herat-Qala-e-Naw Road", 34.7, 62.9, "R", "RD"),
    _row(90000007, "Qadis Camp", 34.8, 63.4, "S", "CMP"),
    _row(90000008, "Test District", 35.0, 63.2, "A", "ADM2", a2="9999"),
    _row(90000009, "Sangar Kalay", 35.02, 63.21, "P", "PPL", a2="9999"),
    _row(QALA_I_NAW, "Qala i Naw", 34.98735, 63.12891, "P", "PPLA", alts="Qal`ah-ye Now,Kala-i-Nau Extra", pop=9000),
]


@pytest.fixture
def af_txt(tmp_path):
    path = tmp_path / "AF.txt"
    path.write_text("".join(HAND_ROWS), encoding="utf-8")
    return path


def test_kinds_cover_every_feature_class():
    assert kind_of("P", "PPL") == "populated_place"
    assert kind_of("A", "ADM1") == "admin1" and kind_of("A", "ADM2") == "admin2" and kind_of("A", "ADM3") == "admin3"
    assert kind_of("A", "PCLI") == "country"
    for fclass, fcode in [("S", "AIRP"), ("S", "MIL"), ("S", "PRN"), ("H", "STM"), ("T", "VAL"), ("T", "PASS"),
                          ("L", "AREA"), ("R", "RD"), ("U", "SMU"), ("V", "FRST"), ("A", "ADM4")]:
        assert kind_of(fclass, fcode) == "other"


def test_country_file_loads_all_classes_and_enriches_cities500(gz_dir, af_txt):
    (report,) = add_geonames(gz_dir, [af_txt])
    assert report.source == "geonames:AF"
    assert report.rows == 10 and report.added == 9 and report.merged == 1  # Qala i Naw enriched, not duplicated
    gz = Gazetteer.open(gz_dir, build=False)
    for name, code in [("Qala-e Naw Airfield", "AIRF"), ("Murghab Valley", "VAL"), ("Sabzak Pass", "PASS"),
                       ("Rud-e Murghab", "STM"), ("Herat-Qala-e-Naw Road", "RD"), ("Qadis Camp", "CMP")]:
        res = gz.resolve(name, country="AF")
        assert res.status == "resolved", name
        assert res.best.place.kind == "other" and res.best.place.feature_code == code
        assert res.best.place.admin1 == "Badghis"  # admin1 code 02 -> the Natural Earth unit admin1:AF-02
    town = gz.get(f"geonames:{QALA_I_NAW}")
    assert town.source.startswith("embedded") and town.feature_code == "PPLA"
    assert gz.resolve("Kala-i-Nau Extra", country="AF").best.place.id == town.id  # new alternate from the dump
    assert _rows(gz_dir, "SELECT COUNT(*) FROM places WHERE id = ?", (town.id,))[0][0] == 1
    # admin2 by the dump's own ADM2 row (no admin2Codes table, no polygons in this index)
    village = gz.resolve("Sangar Kalay", country="AF").best.place
    assert village.admin2_id == "geonames:90000008" and village.admin2 == "Test District"
    gz.close()


def test_remove_restores_enriched_places(gz_dir, af_txt):
    before = _rows(gz_dir, "SELECT * FROM places ORDER BY pid")
    (report,) = add_geonames(gz_dir, [af_txt])
    out = remove_source(gz_dir, report.source)
    assert out["places"] == 9 and out["restored_fields"] >= 1
    assert _rows(gz_dir, "SELECT * FROM places ORDER BY pid") == before
    assert _rows(gz_dir, "SELECT COUNT(*) FROM names WHERE source = 'geonames:AF'")[0][0] == 0


def test_malformed_rows_are_counted_shown_and_fatal_when_strict(gz_dir, tmp_path):
    bad = tmp_path / "AF.txt"
    rows = list(HAND_ROWS[:3])
    rows.insert(1, "123\tonly three\tcolumns\n")
    rows.insert(2, _row("x77", "Bad Id", 34.0, 63.0, "P", "PPL"))
    rows.insert(3, _row(90000100, "Bad Lat", "north", 63.0, "P", "PPL"))
    rows.insert(4, _row(90000101, "Off Earth", 95.0, 63.0, "P", "PPL"))
    bad.write_text("".join(rows), encoding="utf-8")
    (report,) = add_geonames(gz_dir, [bad])
    assert report.added == 3 and report.malformed == 4
    assert any(":2" in p and "19" in p for p in report.problems)
    assert any(":3" in p and "geonameid" in p for p in report.problems)
    assert any(":4" in p and "latitude" in p for p in report.problems)
    digest = hashlib.sha256((gz_dir / "gazetteer.sqlite").read_bytes()).hexdigest()
    with pytest.raises(SourceDataError) as err:
        add_geonames(gz_dir, [bad], strict=True)
    assert err.value.line == 2 and str(bad) in str(err.value)
    assert hashlib.sha256((gz_dir / "gazetteer.sqlite").read_bytes()).hexdigest() == digest


def test_zip_and_code_tables_link_districts(gz_dir, tmp_path, shared_data, monkeypatch):
    from gazetteer import store
    from gazetteer.sources import geonames

    monkeypatch.setattr(geonames, "BULK_BYTES", 1)  # exercise the drop-and-rebuild path of big files
    gen = _generator()
    info = gen.generate(tmp_path / "gn", 3000, countries=("AF", "TJ"), stem="AF", zip_it=True,
                        admin_codes=shared_data / "geonames", seed=7)
    dump = Path(info["paths"]["dump"])
    assert zipfile.is_zipfile(dump)
    codes = shared_data / "geonames"
    reports = add_geonames(gz_dir, [dump, codes / "admin2Codes.txt", codes / "admin1CodesASCII.txt"],
                           batch_size=700)  # several batches
    assert [r.source for r in reports] == ["geonames:admin1CodesASCII", "geonames:admin2Codes", "geonames:AF"]
    assert reports[2].added == 3000 and reports[2].malformed == 0
    indexes = {n for (n,) in _rows(gz_dir, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {name for name, _sql in store.BULK_INDEXES} | {"names_pid"} <= indexes
    # admin2 names and codes from admin2Codes.txt: AF.02.1901 is Qal'ah-ye Now, geonameid 7052796
    named = _rows(gz_dir, "SELECT COUNT(*) FROM places WHERE source = 'geonames:AF' AND admin2 IS NOT NULL")[0][0]
    assert named > 2000
    assert ("Qal‘ah-ye Now",) in _rows(gz_dir, "SELECT DISTINCT admin2 FROM places WHERE source = 'geonames:AF'")
    for col in ("admin1_id", "admin2_id"):  # ids only where the unit exists (no ADM rows in this dump)
        dangling = _rows(gz_dir, f"SELECT COUNT(*) FROM places p WHERE p.source = 'geonames:AF' AND p.{col} IS NOT "
                                 f"NULL AND NOT EXISTS (SELECT 1 FROM places q WHERE q.id = p.{col})")[0][0]
        assert dangling == 0
    assert _rows(gz_dir, "SELECT COUNT(*) FROM places WHERE source = 'geonames:AF' AND admin1_id LIKE 'admin1:AF-%'"
                 )[0][0] > 1000
    names = {n for (n,) in _rows(gz_dir, "SELECT name FROM names WHERE source = 'geonames:admin1CodesASCII'")}
    assert {"Maidan Wardak Province", "Sar-e Pol Province"} <= names  # GeoNames spellings of NE provinces
    gz = Gazetteer.open(gz_dir, build=False)
    assert gz.resolve("Maidan Wardak", country="AF").best.place.id == "admin1:AF-27"
    gz.close()


def test_geonames_adm2_merges_into_district_polygons(gz_dir, tmp_path, shared_data):
    from gazetteer.sources.boundaries import add_boundaries

    add_boundaries(gz_dir, shared_data / "boundaries" / "afg" / "geoBoundaries-AFG-ADM2.geojson", level=2)
    path = tmp_path / "AF.txt"
    path.write_text(
        _row(7052796, "Qal‘ah-ye Now", 34.98, 63.12, "A", "ADM2", a2="1901", ascii_name="Qal'ah-ye Now")
        + _row(90000009, "Sangar Kalay", 34.97, 63.14, "P", "PPL", a2="1901"), encoding="utf-8")
    (report,) = add_geonames(gz_dir, [path])
    assert report.added == 1 and report.merged == 1  # the ADM2 row became names of the polygon district
    gz = Gazetteer.open(gz_dir, build=False)
    district = gz.resolve("Qala-I- Naw district").best.place
    assert gz.resolve("Qal'ah-ye Now district", country="AF").best.place.id == district.id
    assert gz.resolve("Sangar Kalay", country="AF").best.place.admin2_id == district.id
    gz.close()


def test_alternate_names_join_through_the_index(gz_dir, af_txt, tmp_path):
    alt = tmp_path / "alternateNamesV2.txt"
    alt.write_text(
        "1\t90000005\tps\tCharderah Bazar\t\t\t\t\t\t\n"
        "2\t90000005\tlink\thttps://en.wikipedia.org/wiki/X\t\t\t\t\t\t\n"
        f"3\t{QALA_I_NAW}\tfa\tقلعه نو بادغیس\t1\t\t\t\t\t\n"
        "4\t123456789012\ten\tNo Such Place\t\t\t\t\t\t\n"
        "5\tnot-an-id\ten\tBroken\t\t\t\t\t\t\n", encoding="utf-8")
    reports = add_geonames(gz_dir, [alt, af_txt])  # any order: dumps load before alternates
    assert [r.source for r in reports] == ["geonames:AF", "geonames-alternates:alternateNamesV2"]
    alt_report = reports[1]
    assert alt_report.merged == 2 and alt_report.malformed == 1
    gz = Gazetteer.open(gz_dir, build=False)
    assert gz.resolve("Charderah Bazar", country="AF").best.place.id == "geonames:90000005"
    assert gz.resolve("قلعه نو بادغیس").best.place.id == f"geonames:{QALA_I_NAW}"
    assert gz.resolve("en.wikipedia.org").status == "not_found"
    gz.close()


def test_loaded_names_carry_country_and_rank_so_misspellings_find_them(gz_dir, af_txt, tmp_path):
    alt = tmp_path / "alternateNamesV2.txt"
    alt.write_text(f"1\t90000005\tps\tCharderah Bazar\t\t\t\t\t\t\n3\t{QALA_I_NAW}\ten\tQala Nau Town\t\t\t\t\t\t\n",
                   encoding="utf-8")
    reports = add_geonames(gz_dir, [af_txt, alt])
    # Names of new places, names added to embedded places and alternates all carry their place's
    # country and importance rank (the resolver reads them in that order, bounded).
    checked = _rows(gz_dir, "SELECT COUNT(*), SUM(n.cc != COALESCE(p.country_code, '') OR n.rank != "
                            "CAST(ROUND((1.0 - p.importance) * 10000) AS INTEGER)) FROM names n "
                            "JOIN places p ON p.pid = n.pid WHERE p.source = 'geonames:AF' OR n.source IS NOT NULL")
    assert checked[0][0] >= 15 and checked[0][1] == 0
    gz = Gazetteer.open(gz_dir, build=False)
    typo = gz.resolve("Kotal-e Sabsak", country="AF")  # z -> s: another skeleton, one edit away
    assert typo.status == "resolved" and typo.best.place.id == "geonames:90000003" and typo.best.match == "fuzzy"
    assert gz.resolve("Qala Nau Towm", country="AF").best.place.id == f"geonames:{QALA_I_NAW}"
    gz.close()
    for r in reports[::-1]:
        remove_source(gz_dir, r.source)
    gz = Gazetteer.open(gz_dir, build=False)
    assert gz.resolve("Kotal-e Sabsak", country="AF").status == "not_found"
    gz.close()


def test_classify_checks_columns(tmp_path):
    odd = tmp_path / "mystery.txt"
    odd.write_text("a\tb\tc\n", encoding="utf-8")
    with pytest.raises(SourceDataError, match="3 tab-separated columns"):
        classify(odd)
    notzip = tmp_path / "AF.zip"
    notzip.write_text("<html>error</html>", encoding="utf-8")
    with pytest.raises(SourceDataError, match="not a valid zip"):
        classify(notzip)


def test_a_corrupt_byte_is_a_malformed_row_at_its_line(gz_dir, tmp_path):
    path = tmp_path / "AF.txt"
    path.write_bytes("".join(HAND_ROWS[:2]).encode("utf-8") + b"90000077\tBad \xff Byte" + b"\tx" * 17 + b"\n"
                     + HAND_ROWS[4].encode("utf-8"))
    (report,) = add_geonames(gz_dir, [path])
    assert report.added == 3 and report.malformed == 1
    assert report.problems[0].startswith(f"{path}:3: not UTF-8")
    before = _rows(gz_dir, "SELECT COUNT(*) FROM places")
    with pytest.raises(SourceDataError) as err:
        add_geonames(gz_dir, [path], strict=True)
    assert err.value.line == 3
    assert _rows(gz_dir, "SELECT COUNT(*) FROM places") == before
