"""The embedded data files the index is built from (``gazetteer/data``, see its SOURCES.md)."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
#: Natural Earth countries and first-level units with polygons (``scripts/build_natural_earth.py``).
NATURAL_EARTH_FILE = DATA_DIR / "natural_earth_admin.geojson.gz"
#: Second-level units as points and boxes of their GeoNames towns (``scripts/build_admin2.py``).
ADMIN2_FILE = DATA_DIR / "admin2_units.tsv.gz"
#: Regions named in the news that are unions of countries or first-level units (Darfur, Donbas,
#: Sahel...): see :func:`gazetteer.build.extras.load_regions`.
REGIONS_FILE = DATA_DIR / "regions.csv"
#: Seas, lakes, rivers, mountain ranges, deserts (points): see :func:`gazetteer.build.extras.add_physical`.
PHYSICAL_FILE = DATA_DIR / "physical.csv"
