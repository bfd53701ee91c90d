"""Shared fixtures. Tests never touch the network or the user's data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SEEDS = REPO.parent / "shared" / "seeds"

#: Countries in the small test index: enough for the Afghan examples and their neighbours.
TEST_COUNTRIES = ("AF", "TJ", "PK", "IR", "UZ", "TM")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never let a test read or write the user's real index folder."""
    if "CONFLICTMAP_DATA_DIR" not in os.environ or not os.environ["CONFLICTMAP_DATA_DIR"].startswith(
        str(tmp_path_factory.getbasetemp())
    ):
        monkeypatch.setenv("CONFLICTMAP_DATA_DIR", str(tmp_path_factory.getbasetemp() / "default-data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip: a user's clone does not have it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared development data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed articles not found at {SEEDS}")
    return SEEDS


@pytest.fixture(scope="session")
def small_gazetteer_dir(tmp_path_factory) -> Path:
    """A data dir holding an index restricted to :data:`TEST_COUNTRIES` (built once per session, ~5 s)."""
    from gazetteer.build import build_index
    from gazetteer.resolver import INDEX_FILENAME

    folder = tmp_path_factory.mktemp("gazetteer-small")
    build_index(folder / INDEX_FILENAME, countries=TEST_COUNTRIES)
    return folder


@pytest.fixture(scope="session")
def small_gazetteer(small_gazetteer_dir):
    from gazetteer import Gazetteer

    gz = Gazetteer.open(small_gazetteer_dir, build=False)
    yield gz
    gz.close()


@pytest.fixture
def gz_dir(small_gazetteer_dir, tmp_path) -> Path:
    """A private, writable copy of the small index (for tests that add sources or write caches)."""
    import shutil

    from gazetteer.resolver import INDEX_FILENAME

    folder = tmp_path / "index"
    folder.mkdir()
    shutil.copy(small_gazetteer_dir / INDEX_FILENAME, folder / INDEX_FILENAME)
    return folder


#: Debian's chromium (``playwright install`` downloads nothing here).
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    """A headless chromium driven by Playwright; skips (with the reason) when either is missing."""
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    chromium = shutil.which("chromium") or CHROMIUM
    if not Path(chromium).exists():
        pytest.skip("chromium not found (apt-get install chromium); real-browser tests need it")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture(scope="module")
def dask_client():
    """A ``distributed.Client`` on a LocalCluster of 2 worker processes (1 thread each), per module.

    Worker processes, not threads: the tests check what happens *per worker* (the index
    opened once in each) and kill one. The workers must import this checkout's ``mapper``.
    """
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed "
                                                            "(pip install 'conflictmap[scale]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0",
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        files = client.run(lambda: __import__("mapper").__file__)
        assert all(f.startswith(str(REPO)) for f in files.values()), f"workers import another mapper: {files}"
        yield client
