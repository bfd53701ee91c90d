"""The resolver's reads are bounded: misspelt names are found through skeleton neighbours read
from the index, never by loading a country's names, and the work a query does in SQLite does not
grow with the number of names sharing its skeleton. Also the schema upgrade of older indexes."""

import sqlite3

import pytest

from gazetteer import Gazetteer, store
from gazetteer.names import rows_for_names
from gazetteer.normalize import normalize, skeleton
from gazetteer.resolver import (
    EXACT_MAX_ROWS,
    FUZZY_MAX_ROWS,
    MAX_HYDRATE,
    VARIANT_MAX_ROWS,
    key_neighbours,
    skeleton_neighbours,
)

# --------------------------------------------------------------------------- neighbourhoods


def test_skeleton_neighbours_cover_one_typo_and_keep_the_first_letter():
    skel = skeleton(normalize("Ghazni"))  # "gzn"
    near = skeleton_neighbours(skel)
    typos = {"Ghanzi": "swap", "Ghazi": "deletion", "Ghazmi": "replacement", "Ghaznik": "insertion"}
    for typo in typos:
        assert skeleton(normalize(typo)) in near, typo
    assert skel not in near and len(near) == len(set(near))
    assert all(t[0] == skel[0] for t in near)  # a changed first letter meets other places
    assert skeleton(normalize("Khazni")) not in near


def test_key_neighbours_for_arabic_script_names():
    near = key_neighbours(normalize("قلعه نو"))
    assert normalize("قلعه نو") not in near and len(near) == len(set(near))
    # The stored name is one edit away from each misspelt query:
    assert normalize("قلعه نو") in key_neighbours(normalize("قلعه نوو"))  # deletion
    assert normalize("قلعه نو") in key_neighbours(normalize("قلعهنو"))  # insertion (of the space)
    assert normalize("قلعه نو") in key_neighbours(normalize("قلعه تو"))  # replacement
    assert normalize("قلعه نو") in key_neighbours(normalize("قعله نو"))  # swap
    assert all(t[0] == "ق" for t in near)


def test_misspelt_arabic_script_name_resolves(small_gazetteer):
    res = small_gazetteer.resolve("قلعه نوو", country="AF")
    assert res.status == "resolved"
    assert res.best.place.id == "geonames:1129867" and res.best.match == "fuzzy"


# --------------------------------------------------------------------------- a crowded index

COUNTRY = "AF"
TARGET = "Zarghun Shahr"  # skeleton "zrgnsr"


def _crowded_index(path, crowd: int) -> dict:
    """An index where the target's skeleton and each of its neighbours is shared by ``crowd``
    less important places, plus the same crowd in another country; returns name -> place id."""
    conn = sqlite3.connect(path)
    store.create_schema(conn)
    place_rows, name_rows, ids = [], [], {}
    pid = 0

    def add(name, cc, importance):
        nonlocal pid
        pid += 1
        pid_id = f"test:{pid}"
        ids.setdefault(name, pid_id)
        place_rows.append(store.place_row(pid, pid_id, name, "populated_place", 34.0, 66.0, cc, cc, None, None,
                                          None, None, 1000, "PPL", (66.0, 34.0, 66.0, 34.0), False, "test",
                                          importance))
        name_rows.extend(rows_for_names(pid, (), name))

    add(TARGET, COUNTRY, 0.6)
    add("Zarghun Kalay", COUNTRY, 0.3)  # a different skeleton: never the answer for the typos below
    # Same skeleton as the target, and as its deletion neighbour "zrgns" ("Zarghun Shah..."):
    # spellings that differ in vowels only, all less important than the target.
    vowels = "aeiou"
    for i in range(crowd):
        v = vowels[i % 5] + vowels[(i // 5) % 5] + vowels[(i // 25) % 5]
        for cc in (COUNTRY, "PK"):
            add(f"Z{v[0]}rgh{v[1]}n Sh{v[2]}hr {'a' * (1 + i // 125)}", cc, 0.1)
            add(f"Z{v[0]}rgh{v[1]}n S{v[2]}s", cc, 0.1)
    store.insert(conn, place_rows, name_rows, [])
    store.write_meta(conn, {"schema_version": str(store.SCHEMA_VERSION), "normalize_version": "test"}, [])
    conn.commit()
    conn.close()
    return ids


class _Counting:
    """sqlite3 connection stand-in counting statements, rows returned and SQLite VM steps."""

    STEP = 100

    def __init__(self, conn):
        self.conn, self.statements, self.rows, self.steps = conn, 0, 0, 0

        def tick():
            self.steps += self.STEP
            return 0

        conn.set_progress_handler(tick, self.STEP)

    def close(self):
        self.conn.close()

    def execute(self, sql, params=()):
        self.statements += 1
        return _CountingCursor(self.conn.execute(sql, params), self)


class _CountingCursor:
    def __init__(self, cur, owner):
        self.cur, self.owner = cur, owner

    def fetchall(self):
        rows = self.cur.fetchall()
        self.owner.rows += len(rows)
        return rows

    def fetchone(self):
        row = self.cur.fetchone()
        self.owner.rows += row is not None
        return row

    def __iter__(self):
        for row in self.cur:
            self.owner.rows += 1
            yield row


def _measure(path, queries):
    gz = Gazetteer(path)
    counter = _Counting(gz._conn)
    gz._conn = counter
    out = []
    for q, cc in queries:
        counter.rows = counter.steps = counter.statements = 0
        gz._memo.clear()
        res = gz.resolve(q, country=cc)
        out.append((res, counter.rows, counter.steps, counter.statements))
    gz.close()
    return out


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crowded")
    small, big = folder / "small.sqlite", folder / "big.sqlite"
    # Both crowds exceed every per-read cap; the big one is four times the small one.
    return _crowded_index(small, 600), _crowded_index(big, 2400), small, big


QUERIES = [
    ("Zarghun Shahz", COUNTRY),  # replaced consonant: fuzzy through a neighbouring skeleton
    ("Zarghun Shar", COUNTRY),  # same skeleton: variant stage
    ("Zarghun Shahrk", None),  # inserted consonant, no country hint
    ("Zarhgun Shahr", COUNTRY),  # swapped letters
    ("Xqzvtplk", COUNTRY),  # nothing near: every probe empty
]


def test_misspellings_find_the_important_place_in_a_crowd(crowded):
    ids, _ids_big, small, big = crowded
    for path in (small, big):
        for (q, cc), (res, *_counts) in zip(QUERIES[:4], _measure(path, QUERIES[:4])):
            # The reads must find the target; without a country hint a fuzzy match of a town this
            # small is only a suggestion (the lone-lookalike rule), so look at the first candidate.
            top = res.best if cc else (res.candidates[0] if res.candidates else None)
            assert top is not None and top.place.name == TARGET, (q, res)
            assert top.match in ("variant", "fuzzy")


def test_rows_and_sqlite_work_do_not_grow_with_the_crowd(crowded):
    _ids, _ids_big, small, big = crowded
    # exact namesakes (key and type-word-stripped key), own skeleton, neighbours, places hydrated,
    # display names of suggestions
    bound = 2 * (EXACT_MAX_ROWS + MAX_HYDRATE) + VARIANT_MAX_ROWS + FUZZY_MAX_ROWS + MAX_HYDRATE + 20
    small_runs, big_runs = _measure(small, QUERIES), _measure(big, QUERIES)
    for (q, _cc), (_r1, rows1, steps1, _s1), (_r2, rows2, steps2, _s2) in zip(QUERIES, small_runs, big_runs):
        assert rows2 <= bound, (q, rows2)
        # Four times the names per skeleton: (nearly) the same rows and the same SQLite work.
        assert rows2 <= rows1 * 1.1 + 20, (q, rows1, rows2)
        assert steps2 <= steps1 * 1.25 + 2000, (q, steps1, steps2)


def test_probe_statements_use_their_index_without_sorting(crowded):
    _ids, _ids_big, _small, big = crowded
    conn = store.connect(big)
    plans = {
        "skeleton in a country": (store._BY_SKEL_CC, ("zrgnsr", COUNTRY, 5)),
        "skeleton anywhere": (store._BY_SKEL_ANY, ("zrgnsr", 5)),
        "exact in a country": (store._EXACT_CC, ("zarghun shahr", COUNTRY, 5)),
        "exact anywhere": (store._EXACT_ANY, ("zarghun shahr", 5)),
        "skeleton probes in a country": (store._probe_sql("skel", True),
                                         [COUNTRY, 5, 50] + ["zrgns"] * store.PROBE_CHUNK),
        "key probes anywhere": (store._probe_sql("key", False), ["", 5, 50] + ["x"] * store.PROBE_CHUNK),
    }
    for label, (sql, params) in plans.items():
        plan = " | ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "TEMP B-TREE" not in plan and "SCAN names" not in plan, (label, plan)
        assert "USING" in plan and "INDEX names_" in plan, (label, plan)
    conn.close()


# --------------------------------------------------------------------------- schema upgrade


def _downgrade(path):
    """Turn a current index into what schema version 1 wrote (no names.cc/rank, old indexes)."""
    conn = sqlite3.connect(path)
    for name, _sql in store.NAME_INDEXES:
        conn.execute(f"DROP INDEX {name}")
    conn.execute("ALTER TABLE names DROP COLUMN cc")
    conn.execute("ALTER TABLE names DROP COLUMN rank")
    conn.execute("CREATE INDEX names_key ON names(key)")
    conn.execute("CREATE INDEX names_skel ON names(skel)")
    conn.execute("UPDATE meta SET v = '1' WHERE k = 'schema_version'")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()


def test_old_index_is_upgraded_on_open_with_the_same_answers(crowded, tmp_path):
    _ids, _ids_big, small, _big = crowded
    old = tmp_path / "old.sqlite"
    old.write_bytes(small.read_bytes())
    _downgrade(old)
    with pytest.raises(sqlite3.OperationalError):  # really the old layout
        store.connect(old).execute("SELECT rank FROM names LIMIT 1").fetchall()
    upgraded = _measure(old, QUERIES)
    fresh = _measure(small, QUERIES)
    assert [(r.status, r.best and r.best.place.id) for r, *_ in upgraded] == \
        [(r.status, r.best and r.best.place.id) for r, *_ in fresh]
    conn = store.connect(old)
    assert store.schema_version(conn) == store.SCHEMA_VERSION
    assert conn.execute("SELECT COUNT(*) FROM names n JOIN places p ON p.pid = n.pid "
                        "WHERE n.cc != p.country_code OR n.rank != CAST(ROUND((1 - p.importance) * ?) AS INT)",
                        (store.RANK_SCALE,)).fetchone()[0] == 0
    conn.close()
    assert store.upgrade_file(old) is False  # once only


def test_open_upgrades_a_current_index_and_rebuilds_none(crowded, tmp_path):
    from gazetteer.build import DATA_VERSION
    from gazetteer.normalize import NORMALIZE_VERSION

    _ids, _ids_big, small, _big = crowded
    old = tmp_path / "gazetteer.sqlite"
    old.write_bytes(small.read_bytes())
    _downgrade(old)
    conn = sqlite3.connect(old)
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                     [("normalize_version", NORMALIZE_VERSION), ("data_version", DATA_VERSION)])
    conn.commit()
    conn.close()
    gz = Gazetteer.open(tmp_path, build=True)  # current keys and data: upgraded in place, not rebuilt
    assert gz.meta()["schema_version"] == str(store.SCHEMA_VERSION)
    assert gz.stats()["places"] == _rows_count(small)
    assert gz.resolve("Zarghun Shahz", country=COUNTRY).best.place.name == TARGET
    gz.close()


def _rows_count(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]
    finally:
        conn.close()


def test_interrupted_upgrade_leaves_the_file_unchanged(crowded, tmp_path, monkeypatch):
    _ids, _ids_big, small, _big = crowded
    old = tmp_path / "old.sqlite"
    old.write_bytes(small.read_bytes())
    _downgrade(old)
    before = old.read_bytes()
    broken = store.NAME_INDEXES[:-1] + (("names_broken", "CREATE INDEX names_broken ON names(no_such_column)"),)
    monkeypatch.setattr(store, "NAME_INDEXES", broken)
    with pytest.raises(sqlite3.OperationalError):
        store.upgrade_file(old)
    assert old.read_bytes() == before
