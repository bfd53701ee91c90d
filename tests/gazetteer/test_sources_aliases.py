"""Analyst aliases: new places, extra names for existing places, exact-match priority, removal."""


import pytest

from gazetteer import Gazetteer, SourceDataError
from gazetteer.sources import remove_source
from gazetteer.sources.aliases import add_aliases

ALIASES = """name,lat,lon,place_id,kind,country,admin1,note
NDS headquarters Qala-e-Naw,34.9856,63.1312,,other,AF,Badghis,field report 2021-07-07
Camp Shorabak,31.8667,64.2167,,other,Afghanistan,,former Camp Bastion
Kunduz,,,admin1:AF-24,,,,analysts mean the province
Qalai Naw Bazaar,,,geonames:1129867,,,,local spelling
Broken,abc,63,,,,,
Nowhere,,,,,,,
Ghost,,,geonames:999999999,,,,
Far Away,34.0,63.0,,spaceship,AF,,
Wrong Province,34.9,63.1,,other,AF,Atlantis,
"""


@pytest.fixture
def alias_csv(tmp_path):
    path = tmp_path / "field-names.csv"
    path.write_text(ALIASES, encoding="utf-8")
    return path


def test_aliases_add_places_and_names_and_report_bad_rows(gz_dir, alias_csv):
    report = add_aliases(gz_dir, alias_csv)
    assert report.source == "aliases:field-names"
    assert (report.added, report.merged, report.malformed) == (2, 2, 5)
    fields = [p.split(" field ")[1].split(":")[0] for p in report.problems]
    assert fields == ["'lat'", "'lat/lon'", "'place_id'", "'kind'", "'admin1'"]
    assert all(str(alias_csv) in p for p in report.problems)
    gz = Gazetteer.open(gz_dir, build=False)
    nds = gz.resolve("NDS headquarters Qala-e-Naw")
    assert nds.status == "resolved" and nds.best.place.id == "alias:field-names:nds-headquarters-qala-e-naw"
    assert nds.best.place.admin1_id == "admin1:AF-02" and "analyst alias" in nds.best.reason
    camp = gz.resolve("Camp Shorabak").best.place
    assert camp.country_code == "AF" and camp.admin1 in ("Hilmand", "Helmand")  # province by point in polygon
    assert gz.resolve("Qalai Naw Bazaar").best.place.id == "geonames:1129867"
    gz.close()


def test_an_alias_wins_over_other_sources_when_it_matches_exactly(gz_dir, alias_csv):
    gz = Gazetteer.open(gz_dir, build=False)
    assert gz.resolve("Kunduz").best.place.kind == "populated_place"  # the city, before
    gz.close()
    add_aliases(gz_dir, alias_csv)
    gz = Gazetteer.open(gz_dir, build=False)
    res = gz.resolve("Kunduz")
    assert res.status == "resolved" and res.best.place.id == "admin1:AF-24"
    assert gz.resolve("Kunduz", country="TJ").status == "not_found"  # a hinted country still applies
    gz.close()


def test_readd_replaces_and_remove_restores(gz_dir, alias_csv):
    import sqlite3

    def snapshot():
        conn = sqlite3.connect(gz_dir / "gazetteer.sqlite")
        try:
            return (conn.execute("SELECT * FROM places ORDER BY pid").fetchall(),
                    conn.execute("SELECT key, pid, flag FROM names ORDER BY rowid").fetchall())
        finally:
            conn.close()

    before = snapshot()
    add_aliases(gz_dir, alias_csv)
    once = snapshot()
    again = add_aliases(gz_dir, alias_csv)
    assert again.replaced and snapshot()[0] == once[0]
    remove_source(gz_dir, "aliases:field-names")
    assert snapshot() == before


def test_header_without_required_columns_is_refused(gz_dir, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("label,x,y\nA,1,2\n", encoding="utf-8")
    with pytest.raises(SourceDataError, match="name,lat,lon or name,place_id"):
        add_aliases(gz_dir, path)


def test_strict_aliases(gz_dir, alias_csv):
    with pytest.raises(SourceDataError) as err:
        add_aliases(gz_dir, alias_csv, strict=True)
    assert err.value.line == 6 and err.value.field == "lat"
    gz = Gazetteer.open(gz_dir, build=False)
    assert gz.resolve("Camp Shorabak").status == "not_found"  # nothing was loaded
    gz.close()
