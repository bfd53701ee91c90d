"""geocode_csv / geocode_row: a row's admin units are constraints, with the reason written."""

import csv
import io

from gazetteer.csvlimit import csv_field_limit
from gazetteer.table import GEO_COLUMNS, geocode_csv

TABLE = """id,location,country,admin1,admin2
1,Muqur,AF,Badghis,
2,Muqur,AF,Ghazni,
3,Qala-e-Naw,AF,Nowhereprovqq,
4,Qala-e-Naw,AF,Badghis,
"""


def test_a_place_outside_its_admin1_falls_back_with_the_reason(small_gazetteer):
    out = io.StringIO()
    results = geocode_csv(io.StringIO(TABLE), out, small_gazetteer, place_column="location",
                          country_column="country", admin1_column="admin1", admin2_column="admin2")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0])[-len(GEO_COLUMNS):] == list(GEO_COLUMNS)
    # Row 1: only a Ghazni village matches; the row says Badghis: the province, never the village.
    assert rows[0]["geo_status"] == "fallback" and rows[0]["geo_name"] == "Badghis"
    assert "not within Badghis" in rows[0]["geo_note"] and "Ghazni" in rows[0]["geo_note"]
    assert results[0].outside == "Badghis"
    # Row 2: the same name where it is.
    assert rows[1]["geo_status"] == "resolved" and rows[1]["geo_kind"] == "populated_place"
    assert results[1].outside == ""
    # Row 3: a hint that is no known unit is said, not silently dropped.
    assert rows[2]["geo_status"] == "resolved" and "'Nowhereprovqq' is not a known unit" in rows[2]["geo_note"]
    assert rows[3]["geo_note"] == "" and rows[3]["geo_id"] == "geonames:1129867"


def test_a_long_cell_is_read_and_the_process_keeps_its_csv_limit(small_gazetteer):
    """A cell past the csv module's default limit is geocoded, and the process-wide limit is
    what it was before (the reader raises it only while it reads)."""
    before = csv.field_size_limit()
    long_note = "x" * (131_072 + 1000)
    table = f"id,location,country,note\n1,Kherson,UA,{long_note}\n2,Goma,CD,short\n"
    out = io.StringIO()
    results = geocode_csv(io.StringIO(table), out, small_gazetteer, place_column="location",
                          country_column="country")
    assert len(results) == 2
    assert csv.field_size_limit() == before
    with csv_field_limit(1 << 20):  # the test's own reader needs a higher limit for that cell
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["note"] == long_note and rows[1]["id"] == "2"
