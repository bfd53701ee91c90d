"""How important a place is before any context: the one owner of the importance rules.

Two scales live here, side by side so that they can be compared (and, one day, merged):

* **Index importance** (``places.importance``, in [0, 1]): written by the embedded build and
  by every source loader, it orders each name's places in the index (``names.rank``, see
  :func:`gazetteer.store.importance_rank`) and is the ``importance`` term of the resolver's
  score. A populated place counts by its log population; an administrative unit by its kind.
* **Mention prior** (:func:`mention_prior`): the geoparser's ranking of the places a name found
  in running text may be, before the text around it is read. It starts from kind and population
  like the index importance, but weighs a first-level unit more (:data:`PRIOR_KIND_BASE`, 0.75
  against 0.7) and caps how far population lifts a unit (:data:`PRIOR_ADMIN_CAP`): a bare
  "Washington" in the news is the city.

Examples
--------
>>> population_importance(0), population_importance(9_999_999)
(0.1, 1.0)
>>> populated_place_importance(500_000, "PPLC") > populated_place_importance(500_000, "PPL")
True
>>> mention_prior("admin1", 0), mention_prior("admin1", 50_000_000)
(0.75, 0.8)
"""

from __future__ import annotations

import math

# ---------------------------------------------------------------------------- index importance
#: Importance of an administrative kind (any population).
KIND_IMPORTANCE = {"country": 1.0, "admin1": 0.7, "admin2": 0.55, "admin3": 0.45}
#: Population at which a populated place's importance reaches 1 (log scale).
POPULATION_FOR_FULL_IMPORTANCE = 10_000_000
#: Importance of a place of unknown (or zero) population.
UNKNOWN_POPULATION_IMPORTANCE = 0.1
#: Added to a national capital's (GeoNames feature code PPLC) population importance.
CAPITAL_BONUS = 0.15
CAPITAL_FEATURE_CODE = "PPLC"
#: An admin-2 unit's importance is this share of the importance its towns' population would
#: give a town (capped at ``KIND_IMPORTANCE["admin2"]``): a bare name shared by a municipality
#: and its seat ("Resende") goes to the town, a unit ranks above a much smaller namesake town.
ADMIN2_POPULATION_FACTOR = 0.9
#: Continents rank like countries.
CONTINENT_IMPORTANCE = KIND_IMPORTANCE["country"]
#: Regions named in the news (Darfur, Donbas, the Sahel) rank like first-level units.
REGION_IMPORTANCE = KIND_IMPORTANCE["admin1"]
#: Seas, rivers, ranges and deserts rank like first-level units.
PHYSICAL_IMPORTANCE = 0.7
#: A loaded boundary unit of a level deeper than admin-3 ranks like an admin-3 unit.
DEEP_ADMIN_IMPORTANCE = 0.45
#: A GeoNames feature that is neither populated place nor administrative unit (a hill, a
#: valley...) gets this share of its population importance.
OTHER_FEATURE_POPULATION_FACTOR = 0.5
#: A historical GeoNames feature (PPLH, ADM1H...) keeps this share of its importance.
HISTORICAL_FACTOR = 0.5
#: An online geocoder's answer (no population) of a kind without a weight.
ONLINE_OTHER_IMPORTANCE = 0.3


def population_importance(population: int | None) -> float:
    """Importance in [0, 1] growing with log population (500 -> ~0.39, 10M -> 1)."""
    if not population or population <= 0:
        return UNKNOWN_POPULATION_IMPORTANCE
    return min(1.0, math.log10(population + 1) / math.log10(POPULATION_FOR_FULL_IMPORTANCE))


def populated_place_importance(population: int | None, feature_code: str | None) -> float:
    """A populated place's importance: its population's, plus :data:`CAPITAL_BONUS` for a capital."""
    bonus = CAPITAL_BONUS if feature_code == CAPITAL_FEATURE_CODE else 0.0
    return min(population_importance(population) + bonus, 1.0)


def admin2_unit_importance(population: int | None) -> float:
    """An embedded admin-2 unit's importance from its member towns' population."""
    return min(KIND_IMPORTANCE["admin2"], ADMIN2_POPULATION_FACTOR * population_importance(population))


def geonames_importance(kind: str, population: int | None, feature_code: str | None, *,
                        historical: bool = False) -> float:
    """Importance of a GeoNames record of ``kind`` (see :func:`gazetteer.sources.geonames.kind_of`)."""
    if kind == "populated_place":
        imp = population_importance(population) + (CAPITAL_BONUS if feature_code == CAPITAL_FEATURE_CODE else 0.0)
    elif kind in KIND_IMPORTANCE:
        imp = KIND_IMPORTANCE[kind]
    else:
        imp = OTHER_FEATURE_POPULATION_FACTOR * population_importance(population)
    if historical:
        imp *= HISTORICAL_FACTOR
    return min(imp, 1.0)


def boundary_importance(kind: str) -> float:
    """Importance of a unit loaded from a boundary file (``admin1``, ``admin2``...)."""
    return KIND_IMPORTANCE.get(kind, DEEP_ADMIN_IMPORTANCE)


def online_importance(kind: str) -> float:
    """Importance of a place an online geocoder returned."""
    return KIND_IMPORTANCE.get(kind, ONLINE_OTHER_IMPORTANCE)


# ---------------------------------------------------------------------------- mention prior
#: Base prior of a kind before population (the geoparser files continents and physical
#: features under their own kinds). Differs from :data:`KIND_IMPORTANCE` for ``admin1``.
PRIOR_KIND_BASE = {"continent": 1.0, "country": 1.0, "admin1": 0.75, "admin2": 0.55, "admin3": 0.45,
                   "physical": 0.7}
#: Population counts less for admin units than for cities: a bare "New York" or
#: "Washington" in the news is the city, "Kunduz province" says so when it is the unit.
PRIOR_ADMIN_CAP = {"admin1": 0.8, "admin2": 0.6, "admin3": 0.5}


def mention_prior(kind: str, population: int | None) -> float:
    """The geoparser's prior of a candidate place for a name in text, in [0, 1]."""
    base = PRIOR_KIND_BASE.get(kind)
    pop = population_importance(population)
    if base is not None:
        return min(max(base, pop), PRIOR_ADMIN_CAP.get(kind, 1.0))
    return pop
