"""examples/notebook.ipynb runs headless, top to bottom, as a user would run it (nbclient + ipykernel)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "examples" / "notebook.ipynb"


def test_example_notebook_runs_and_exports(small_gazetteer_dir, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e '.[test]')")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e '.[test]')")
    pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e '.[test]')")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install -e '.[parquet]')")
    geopandas = pytest.importorskip("geopandas")

    out = tmp_path / "outputs"
    # The kernel inherits the environment: this checkout's packages, the small test index, a scratch output folder.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(small_gazetteer_dir))
    monkeypatch.setenv("CONFLICTMAP_OUTPUTS", str(out))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError (with the cell and traceback) if any cell fails

    html_outputs = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code"
                    for o in c.outputs if "text/html" in o.get("data", {})]
    # The conflictmap page inline (sandboxed srcdoc iframe) and the folium map both display.
    assert any('sandbox="allow-scripts' in h and "srcdoc=" in h for h in html_outputs)
    folium_page = (out / "qala-e-naw-folium.html").read_text(encoding="utf-8")
    assert "Herat (added in the notebook)" in folium_page and "cdn.jsdelivr" not in folium_page
    back = geopandas.read_parquet(out / "qala-e-naw-assessment.parquet")
    assert len(back) > 0 and {"Qala-e-Naw", "Badghis"} <= set(back["place_name"])
    assert back.crs.to_epsg() == 4326 and back.geometry.notna().all()
