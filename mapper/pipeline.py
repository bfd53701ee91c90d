"""Claims files in, one HTML map out: prepare the state, render it, write the side files.

:func:`build_map` is what ``conflictmap map`` calls:

1. :func:`mapper.state.prepare_state` reads the claims, places them (:mod:`mapper.placing`) and
   builds the timeline, with the options of one :class:`~mapper.state.MapOptions`;
2. :func:`mapper.render.html.render_html` writes the page from that state (in embed mode with
   ``embed=True``);
3. claims not linked to the gazetteer go to ``<output>.unresolved.csv``
   (:func:`write_unresolved`), the counts at the opening instant to ``export_counts``;
4. :class:`MapResult` says what was done; its :meth:`~MapResult.summary` is the run report.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mapper import __version__
from mapper.errors import ClaimsFileError, OutputExists
from mapper.placing import OUTSIDE_HINT, UnresolvedClaim
from mapper.render.html import DEFAULT_BUDGET, render_html
from mapper.state import MapOptions, prepare_state
from mapper.timeline import Timeline

log = logging.getLogger(__name__)


UNRESOLVED_COLUMNS = (
    "file", "row", "claim_id", "place", "country", "admin1", "admin2", "place_id", "status", "mapped_as",
    "suggestions", "candidates", "message",
)


@dataclass(frozen=True)
class MapResult:
    """What :func:`build_map` did. ``summary()`` is what the CLI prints to stderr."""

    output: Path | None
    load: object  # mapper.claims.LoadReport
    claims: int
    mapped: int
    places: int
    unresolved: tuple
    unresolved_path: Path | None
    counts_path: Path | None
    counts_rows: int
    render: object  # mapper.render.html.RenderReport
    timeline: Timeline = field(repr=False, compare=False, default=None)
    opens_at: datetime | None = None
    seconds: float = 0.0
    outliers: tuple = ()
    flagged: tuple = ()
    unknown_actors: tuple = ()
    #: Claims drawn at their row's own coordinates or geometry (linked to the gazetteer or not).
    from_row: int = 0

    @property
    def rejected(self) -> tuple:
        """The rows the claims loader rejected (empty when nothing was loaded)."""
        return tuple(self.load.rejected) if self.load is not None else ()

    def summary(self, limit: int = 20) -> str:
        """The run report, most urgent first.

        Draft claims the extractor flagged; claims not on the map (in full, never cut);
        places outside their row's admin unit and outliers (in full); then the approximate
        placements (the first ``limit``, all of them in the side CSV); one line per actor not
        in the registry; then what was read and rejected (every rejected row) and how status
        words were mapped; then the map written.
        """
        lines = []
        if self.flagged:
            lines.append(f"Draft claims flagged by the extractor ({len(self.flagged)}): review them before publishing")
            lines.extend(f"  {d}" for d in self.flagged)
        not_mapped = [u for u in self.unresolved if not u.mapped_as]
        outside = [u for u in self.unresolved if u.status == OUTSIDE_HINT and u.mapped_as.startswith("approximate")]
        outside_ids = {id(u) for u in outside}
        approx = [u for u in self.unresolved if u.mapped_as and id(u) not in outside_ids]
        approx_only = [u for u in approx if u.mapped_as.startswith("approximate")]
        rejected = self.load.rejected_rows if self.load is not None else 0
        lines.append(
            f"Mapped {self.mapped:,} of {self.claims:,} claims to {self.places:,} places; "
            f"{len(not_mapped):,} not mapped (unresolved), "
            f"{len(outside) + len(approx_only):,} drawn approximately"
            + (f", {self.from_row:,} drawn at their row's coordinates" if self.from_row else "")
            + (f", {len(self.outliers):,} outlier{'s' if len(self.outliers) != 1 else ''}" if self.outliers else "")
            + (f"; {rejected:,} row{'s' if rejected != 1 else ''} rejected (listed below)" if rejected else "") + "."
        )
        if not_mapped:
            lines.append(f"Claims not on the map ({len(not_mapped)}):")
            lines.extend(f"  {u}" for u in not_mapped)
        if outside:
            lines.append(f"Places outside their row's admin unit ({len(outside)}), drawn as approximate areas in it:")
            lines.extend(f"  {u}" for u in outside)
        if self.outliers:
            lines.append(f"Outliers ({len(self.outliers)}): far from the file's other places or alone in their "
                         "country; check them")
            lines.extend(f"  {o}" for o in self.outliers)
        if approx:
            lines.append(f"Drawn approximately or from row coordinates ({len(approx)}):")
            lines.extend(f"  {u}" for u in approx[:limit])
            if len(approx) > limit:
                lines.append(f"  ... and {len(approx) - limit} more")
        if self.unresolved_path:
            lines.append(f"  full list: {self.unresolved_path}")
        if self.unknown_actors:
            lines.append(f"Actors not in the registry ({len(self.unknown_actors)}), each in a colour of its own:")
            lines.extend(f"  {a}" for a in self.unknown_actors)
        if self.load is not None:
            lines.append(self.load.summary(max(limit, rejected)))
        if self.render is not None:
            r = self.render
            opens = (self.opens_at.astimezone(timezone.utc).strftime("%d %b %Y %H:%M UTC").lstrip("0")
                     if self.opens_at else "no claims")
            lines.append(
                f"Map: {self.output} ({r.bytes / 1e6:.2f} MB, {r.places:,} places, {r.steps:,} time steps, "
                f"opens at {opens}) in {self.seconds:.2f} s"
            )
            lines.extend(f"  {a}" for a in r.actions)
        if self.counts_path:
            lines.append(f"Counts: {self.counts_path} ({self.counts_rows:,} rows)")
        return "\n".join(x for x in lines if x)



def _hash_inputs(paths) -> tuple:
    files, digest = [], hashlib.sha256()
    for p in paths:
        name = str(p)
        if name == "-" or hasattr(p, "read"):
            files.append({"path": "<stdin>" if name == "-" else getattr(p, "name", "<stream>"), "sha256": None,
                          "note": "stream input, not hashed"})
            continue
        h = hashlib.sha256()
        size = 0
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
        files.append({"path": os.path.basename(name), "sha256": h.hexdigest(), "bytes": size})
        digest.update(h.digest())
    return files, digest.hexdigest()




def write_unresolved(unresolved: Sequence[UnresolvedClaim], path) -> int:
    """Write the unresolved-places report (one row per claim). Returns the number of rows."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(UNRESOLVED_COLUMNS)
        for u in unresolved:
            c = u.claim
            w.writerow([c.origin.path, c.origin.row if c.origin.row is not None else "", c.id, c.place, c.country,
                        c.admin1, c.admin2, c.place_id, u.status, u.mapped_as, "; ".join(u.suggestions),
                        "; ".join(u.candidates), u.message])
    return len(unresolved)



def check_inputs_read(load, allow_empty: bool = False) -> None:
    """Raise :class:`ClaimsFileError` when no input file could be read at all (each one missing,
    empty, unreadable or of an unknown layout), unless ``allow_empty``: an empty map is then
    most likely a mistake, not a result."""
    files = tuple(getattr(load, "files", ()) or ())
    if allow_empty or not files or not all(f.error for f in files):
        return
    reasons = "; ".join(f"{f.path}: {f.error}" for f in files[:5]) + (
        f"; and {len(files) - 5} more" if len(files) > 5 else "")
    raise ClaimsFileError(f"no input could be read ({reasons}); nothing written. Pass --allow-empty to write "
                          "an empty map anyway", path=files[0].path)


def build_map(
    claim_paths,
    *,
    gazetteer,
    output,
    options: MapOptions | None = None,
    view: str = "assessed",
    tiles: str = "none",
    overwrite: bool = False,
    export_counts=None,
    budget: int | None = None,
    embed: bool = False,
    allow_empty: bool = False,
    **option_fields,
) -> MapResult:
    """Read claims, place them, build the timeline and write the HTML map.

    Parameters
    ----------
    claim_paths
        One path or a list (CSV, JSON, JSON Lines, GeoJSON, ACLED, UCDP GED).
    gazetteer
        An opened :class:`gazetteer.Gazetteer`.
    output
        HTML file to write; ``<output>.unresolved.csv`` is written next to it
        when some places are not linked to the gazetteer.
    options
        A :class:`~mapper.state.MapOptions` (title, times, windows, actors, strict, tz); keyword
        arguments named like its fields (``at=``, ``window=``...) change single options.
        ``strict`` raises on the first bad row (:class:`~mapper.errors.ClaimsFileError`) or when
        any place is unresolved (:class:`~mapper.errors.UnresolvedPlaces`), before anything is written.
    view, tiles, budget
        As :func:`mapper.render.html.render_html`.
    export_counts
        CSV path for :meth:`Timeline.export_counts` at the opening instant.
    allow_empty
        Write a map even when no input file could be read at all (by default that is a
        :class:`~mapper.errors.ClaimsFileError`, and nothing is written).
    embed
        Write the page in embed mode (CSS scoped to the map, no full-page assumptions) with a
        plain-language description of the opening state in its metadata, for ``conflictmap embed``.

    Examples
    --------
    >>> result = build_map("claims.csv", gazetteer=gz, output="outputs/map.html")  # doctest: +SKIP
    >>> print(result.summary())                                                     # doctest: +SKIP
    """
    t0 = time.perf_counter()
    opts = MapOptions.of(options, **option_fields)
    output = Path(output)
    if output.exists() and not overwrite:
        raise OutputExists(f"{output} exists; pass --overwrite to replace it")
    if export_counts is not None and Path(export_counts).exists() and not overwrite:
        raise OutputExists(f"{export_counts} exists; pass --overwrite to replace it")
    sidecar = output.with_name(output.name + ".unresolved.csv")
    if sidecar.exists() and not overwrite:
        raise OutputExists(f"{sidecar} exists (an unresolved-places list); pass --overwrite to replace it")
    if isinstance(claim_paths, (str, os.PathLike)) or hasattr(claim_paths, "read"):
        claim_paths = [claim_paths]
    claim_paths = list(claim_paths)
    files, inputs_sha = _hash_inputs(claim_paths)
    state = prepare_state(claim_paths, gazetteer=gazetteer, options=opts)
    check_inputs_read(state.load, allow_empty)
    load, timeline, opens = state.load, state.timeline, state.at
    metadata = {
        "tool": "conflictmap",
        "version": __version__,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "inputs": files,
        "inputs_sha256": inputs_sha,
        "gazetteer": list(state.gazetteer_sources),
        "window_hours": state.window.total_seconds() / 3600 if state.window else None,
        "dispute_window_hours": timeline.dispute_window.total_seconds() / 3600 if timeline.dispute_window else None,
        "stale_after_hours": timeline.stale_after.total_seconds() / 3600 if timeline.stale_after else None,
        "rules": "mapper.timeline (see README, 'Timeline rules')",
        "claims": {"read": load.read, "accepted": load.accepted, "rejected": load.rejected_rows,
                   "mapped": len(state.placed), "unresolved": len(state.unresolved)},
        "actors": [a.to_dict() for a in state.actors],
        "view": view,
        "tiles": tiles,
    }
    _html, report = render_html(state, output, view=view, tiles=tiles, metadata=metadata,
                                budget=budget or DEFAULT_BUDGET, overwrite=overwrite, embed=embed)
    unresolved_path = None
    if state.unresolved:
        write_unresolved(state.unresolved, sidecar)
        unresolved_path = sidecar
    elif sidecar.exists():
        sidecar.unlink()  # from an earlier run of the same map: it would now be wrong
    counts_path, counts_rows = None, 0
    if export_counts is not None and opens is not None:
        counts_path = Path(export_counts)
        counts_rows = timeline.export_counts(opens, counts_path)
    elif export_counts is not None:
        log.warning("no claims mapped: %s not written", export_counts)
    return MapResult(
        output=output, load=load, claims=len(state.claims), mapped=len(state.placed),
        places=len({k for _, k in state.placed}), unresolved=tuple(state.unresolved), unresolved_path=unresolved_path,
        counts_path=counts_path, counts_rows=counts_rows, render=report, timeline=timeline, opens_at=opens,
        seconds=time.perf_counter() - t0, outliers=state.outliers, flagged=state.flagged,
        unknown_actors=state.unknown_actors, from_row=state.from_row,
    )


__all__ = ["build_map", "check_inputs_read", "MapResult", "UnresolvedClaim", "write_unresolved", "UNRESOLVED_COLUMNS"]
