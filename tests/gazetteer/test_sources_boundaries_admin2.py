"""Boundary files meet the embedded admin-2 units: a district the index already holds as a
point is merged (it gains the polygon and the points inside it), never duplicated."""

from __future__ import annotations

import json
import shutil

from gazetteer import Gazetteer
from gazetteer.resolver import INDEX_FILENAME
from gazetteer.sources import remove_source
from gazetteer.sources.boundaries import add_boundaries


def _box(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _adm2(path, units):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geom,
         "properties": {"shapeName": name, "shapeID": f"TEST-{i}", "shapeGroup": "AFG", "shapeType": "ADM2"}}
        for i, (name, geom) in enumerate(units)
    ]}), encoding="utf-8")
    return path


def test_adm2_file_merges_into_the_embedded_district(small_gazetteer_dir, tmp_path):
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copy(small_gazetteer_dir / INDEX_FILENAME, folder / INDEX_FILENAME)
    with Gazetteer.open(folder, build=False) as gz:
        district = gz.resolve("Sharan district", country="AF").best.place
        neighbour = gz.resolve("Zarah Sharan", country="AF").best.place  # a town the embedded unit lacks
    assert district.kind == "admin2" and not district.has_geometry and neighbour.admin2_id is None
    # The Sharan box holds both towns; the new district next to it lies within the 0.05 degree
    # snapping distance of Zarah Sharan, which must still end up in Sharan.
    path = _adm2(tmp_path / "adm2.geojson", [("Sharan", _box(68.70, 33.12, 68.82, 33.20)),
                                            ("Testdistrict", _box(68.83, 33.15, 68.90, 33.26))])
    report = add_boundaries(folder, path, level=2)
    assert (report.merged, report.added) == (1, 1)
    with Gazetteer.open(folder, build=False) as gz:
        res = gz.resolve("Sharan district", country="AF")
        assert [c.place.id for c in res.candidates if c.place.kind == "admin2"] == [district.id]
        merged = gz.get(district.id)
        assert merged.has_geometry and gz.geometry(merged).geom_type == "Polygon"
        assert gz.get(neighbour.id).admin2_id == district.id
        assert gz.resolve("Testdistrict", country="AF").best.place.kind == "admin2"
    remove_source(folder, report.source)
    with Gazetteer.open(folder, build=False) as gz:
        assert not gz.get(district.id).has_geometry
        assert gz.get(neighbour.id).admin2_id is None
