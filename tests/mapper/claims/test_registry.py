"""Tests for mapper.claims.formats.registry: a format registered from outside the package is
detected and read by every reader, and the errors that list formats come from the table."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from claims_files import write

from mapper.claims import (
    ClaimsFormat,
    cells,
    detect_format,
    get_format,
    read_claims,
    register_format,
    registered_formats,
)
from mapper.claims.formats import unregister_format
from mapper.errors import CellError, ClaimsFileError, ClaimsFormatError, UnknownFormat
from mapper.model import Claim, Origin

# A checkpoint log as a monitoring group might keep it: nothing in mapper knows these columns.
LOG_COLUMNS = ("checkpoint", "seen_on", "held_by", "observer", "fix")


def _build_log_row(rec: dict, extra: list, ctx) -> Claim:
    place = cells.text(rec.get("checkpoint"), "checkpoint", ctx)
    if not place:
        raise CellError("checkpoint", "empty checkpoint")
    span = cells.time_span(rec.get("seen_on"), "seen_on", ctx.tz, ctx)
    if span is None:
        raise CellError("seen_on", "empty seen_on")
    holder = cells.text(rec.get("held_by"), "held_by", ctx)
    ctx.map_status(f"held by {holder}", "controlled")
    return Claim(
        place=place,
        time=span,
        status="controlled",
        id=f"{ctx.stem}-{ctx.row}",
        actor=holder,
        claimant=cells.text(rec.get("observer"), "observer", ctx),
        location_precision=cells.whole_number(rec.get("fix"), "fix"),
        origin=Origin(ctx.path, ctx.row, ctx.format),
        extra=cells.extras(extra, ctx),
    )


LOG_FORMAT = ClaimsFormat(
    name="checkpoint-log",
    description="checkpoint log (checkpoint, seen_on, held_by)",
    build=_build_log_row,  # detected by its required columns (no detect function)
    columns=frozenset(LOG_COLUMNS),
    renames={"seen": "seen_on"},
    label="a checkpoint log",
    requires=("checkpoint", "seen_on", "held_by"),
    precision_radius={2: 5_000.0},
    status_mapping="checkpoint",
)


@pytest.fixture
def log_format():
    register_format(LOG_FORMAT)
    yield LOG_FORMAT
    unregister_format(LOG_FORMAT.name)


def test_a_registered_format_is_detected_and_read_from_csv_and_json(log_format, tmp_path):
    header = ["Checkpoint", "seen_on", "held_by", "observer", "fix", "weather"]
    assert detect_format(header) == "checkpoint-log"
    csv_path = write(tmp_path, "log.csv", "Checkpoint,seen_on,held_by,observer,fix,weather\n"
                     "Bridge 4,2023-10-26,Brigade A,Monitor 7,2,rain\n"
                     ",2023-10-27,Brigade B,Monitor 7,,\n")
    rows = [{"checkpoint": "Ferry landing", "seen": "2023-10-28T06:00", "held_by": "Brigade B", "fix": 1}]
    json_path = write(tmp_path, "log.json", json.dumps(rows))
    claims, report = read_claims([csv_path, json_path], tz="+02:00")

    assert [(f.format, f.container, f.rows, f.accepted, f.rejected) for f in report.files] == [
        ("checkpoint-log", "csv", 2, 1, 1), ("checkpoint-log", "json", 1, 1, 0)]
    first, second = claims
    assert (first.place, first.actor, first.claimant, first.location_precision) == ("Bridge 4", "Brigade A",
                                                                                   "Monitor 7", 2)
    assert first.origin == Origin(str(csv_path), 1, "checkpoint-log")
    assert first.extra == (("weather", "rain"),)  # a column the format does not read is kept
    assert second.place == "Ferry landing" and second.time.earliest.utcoffset().total_seconds() == 7200
    (issue,) = report.rejected
    assert (issue.row, issue.column, issue.reason) == (2, "checkpoint", "empty checkpoint")
    assert {(m.raw, m.how, m.count) for m in report.mappings} == {("held by Brigade A", "checkpoint", 1),
                                                                 ("held by Brigade B", "checkpoint", 1)}
    assert get_format("checkpoint-log").radius_m(first.location_precision) == 5_000.0


def test_registration_is_undone_and_the_header_is_then_unknown(tmp_path):
    register_format(LOG_FORMAT)
    unregister_format("checkpoint-log")
    with pytest.raises(ClaimsFileError, match="match no known format"):
        detect_format(["checkpoint", "seen_on", "held_by"])
    claims, report = read_claims(write(tmp_path, "log.csv", "checkpoint,seen_on,held_by\nX,2023-10-26,A\n"))
    assert claims == [] and "match no known format" in report.files[0].error


def test_the_unknown_format_error_lists_every_registered_format(log_format):
    with pytest.raises(ClaimsFileError) as info:
        detect_format(["town", "when"])
    message = str(info.value)
    assert message.startswith("columns town, when match no known format: ")
    for fmt in registered_formats():
        assert f"{fmt.label} needs {', '.join(fmt.requires)}" in message, fmt.name
    assert "a checkpoint log needs checkpoint, seen_on, held_by" in message
    assert "a claims table needs place, time, status (missing: place, time, status)" in message


def test_a_format_without_required_columns_is_named_by_its_description(tmp_path):
    bare = replace(LOG_FORMAT, name="bare-log", label="", requires=(), detect=lambda names: "log" in names)
    register_format(bare)
    try:
        with pytest.raises(ClaimsFileError, match=r"bare-log: checkpoint log \(checkpoint, seen_on, held_by\)"):
            detect_format(["town"])
    finally:
        unregister_format("bare-log")


def test_detection_follows_priority_so_a_specific_format_wins_over_the_canonical_table(tmp_path):
    # A table that also has place, time and status: canonical accepts it, but it is tried last.
    header = ["place", "time", "status", "checkpoint", "seen_on", "held_by"]
    assert detect_format(header) == "canonical"
    register_format(LOG_FORMAT)
    try:
        assert detect_format(header) == "checkpoint-log"
        late = replace(LOG_FORMAT, name="late-log", priority=2000)
        register_format(late, replace=False)
        assert [f.name for f in registered_formats()][-2:] == ["canonical", "late-log"]
        unregister_format("late-log")
    finally:
        unregister_format("checkpoint-log")
    assert detect_format(header) == "canonical"


def test_registering_twice_or_a_non_format_is_refused(log_format):
    assert register_format(log_format) is log_format  # the same record: nothing changes
    with pytest.raises(ClaimsFormatError, match="'checkpoint-log' is already registered"):
        register_format(replace(log_format, description="another log"))
    other = register_format(replace(log_format, description="another log"), replace=True)
    assert get_format("checkpoint-log") is other
    assert [f.name for f in registered_formats()].count("checkpoint-log") == 1
    with pytest.raises(ClaimsFormatError, match="expected a ClaimsFormat, got dict"):
        register_format({"name": "x"})
    with pytest.raises(ClaimsFormatError, match="needs a name"):
        register_format(replace(log_format, name=""))
    with pytest.raises(ClaimsFormatError, match="a detect function or required columns"):
        register_format(replace(log_format, name="undetectable", requires=()))


def test_get_format_names_the_registered_formats():
    with pytest.raises(UnknownFormat, match=r"no claims format is named 'acled-1997' \(registered: canonical, acled,"):
        get_format("acled-1997")
    assert isinstance(UnknownFormat("x"), LookupError)


def test_built_in_formats_carry_their_dataset_rules():
    assert get_format("ucdp-ged-23.1").radius_m(5) == 60_000
    assert get_format("ucdp-ged-19.1").radius_m(1) is None  # exact coordinates: no area
    assert get_format("acled-legacy").radius_m(3) == 25_000
    assert get_format("canonical").radius_m(3) is None  # a claims table's precision code means nothing here
    assert {f.status_mapping for f in registered_formats()} == {"synonym", "acled", "ucdp"}
    assert get_format("canonical").geometry and not get_format("acled").geometry


def test_a_format_record_cannot_be_changed_after_it_is_made():
    radius = {2: 5_000.0}
    fmt = replace(LOG_FORMAT, name="frozen-log", precision_radius=radius, columns={"checkpoint"})
    radius[2] = 1.0  # the caller's dict is copied
    assert fmt.radius_m(2) == 5_000.0 and isinstance(fmt.columns, frozenset)
    with pytest.raises(TypeError):
        fmt.precision_radius[3] = 1.0
    with pytest.raises(AttributeError):
        fmt.name = "other"
