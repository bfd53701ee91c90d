"""``conflictmap extract``: seed articles to a claims CSV that the claims reader accepts."""

from __future__ import annotations

from click.testing import CliRunner

from mapper.claims import read_claims
from mapper.cli import cli


def _run(args, **kw):
    return CliRunner().invoke(cli, ["extract", *args], **kw)


def test_extract_seeds_to_csv(tmp_path, seeds):
    out = tmp_path / "claims.csv"
    r = _run([str(seeds / "badghis-takeover-denied.txt"), str(seeds / "qala-e-naw-overrun.txt"),
              "--published", "2021-07-07", "--source", "Seeds", "--url", "https://example.org/a",
              "--no-gazetteer", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "draft claims from 2 article(s)" in r.stderr
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"place", "time", "status", "claimant", "quote", "scope", "confidence", "sentence_start",
            "sentence_end"} <= set(header)
    loaded = read_claims([out])
    claims, _report = loaded
    assert len(claims) >= 10
    assert all(c.url == "https://example.org/a" and c.source == "Seeds" for c in claims)
    statuses = {c.status for c in claims}
    assert {"controlled", "not_controlled", "contested"} <= statuses


def test_refuses_to_overwrite(tmp_path, seeds):
    out = tmp_path / "claims.csv"
    out.write_text("x", encoding="utf-8")
    r = _run([str(seeds / "qala-e-naw-overrun.txt"), "--published", "2021-07-07", "--no-gazetteer", "-o", str(out)])
    assert r.exit_code == 2 and "--overwrite" in r.output
    assert out.read_text(encoding="utf-8") == "x"


def test_bad_inputs_give_messages_not_tracebacks(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("The Taliban captured Kunduz on Monday, officials said. Caf\xe9.".encode("latin-1"))
    out = tmp_path / "c.csv"
    r = _run([str(empty), str(binary), str(latin), "--published", "2021-07-07", "--no-gazetteer", "-o", str(out)])
    assert r.exit_code == 1
    assert "empty" in r.stderr and "binary" in r.stderr and "Traceback" not in r.output
    assert "Kunduz" in out.read_text(encoding="utf-8")  # the readable article still produced its claim

    r = _run([str(empty), "--published", "2021-07-07", "--no-gazetteer", "-o", str(tmp_path / "d.csv")])
    assert r.exit_code == 1 and "no article could be read" in r.output


def test_bad_published_date(tmp_path, seeds):
    r = _run([str(seeds / "qala-e-naw-overrun.txt"), "--published", "July", "--no-gazetteer",
              "-o", str(tmp_path / "c.csv")])
    assert r.exit_code == 2 and "--published" in r.output


def test_stdin_html_to_stdout():
    html = "<html><body><nav>Kabul</nav><p>The Taliban captured Kunduz on Monday, officials said.</p></body></html>"
    r = _run(["-", "--published", "2021-07-07", "--no-gazetteer", "-o", "-"], input=html)
    assert r.exit_code == 0, r.output
    assert "Kunduz" in r.stdout and "officials" in r.stdout


def test_times_keep_their_precision_through_the_csv(tmp_path, seeds):
    out = tmp_path / "claims.csv"
    r = _run([str(seeds / "badghis-takeover-denied.txt"), "--published", "2021-07-07", "--no-gazetteer",
              "--tz", "Asia/Kabul", "-o", str(out)])
    assert r.exit_code == 0, r.output
    claims, _ = read_claims([out])
    mp = [c for c in claims if "Osmani" in c.claimant]
    assert mp and mp[0].time.precision == "daypart"
    assert mp[0].time.earliest.isoformat() == "2021-07-06T12:00:00+04:30"


def test_extract_with_the_gazetteer_links_places(tmp_path, seeds, small_gazetteer_dir):
    out = tmp_path / "claims.csv"
    r = _run([str(seeds / "badghis-takeover-denied.txt"), str(seeds / "qala-e-naw-overrun.txt"),
              "--published", "2021-07-07", "--data-dir", str(small_gazetteer_dir), "-o", str(out)])
    assert r.exit_code == 0, r.output
    claims, _ = read_claims([out])
    qala = [c for c in claims if c.place in ("Qala-e-Naw", "Qal-e-Naw")]
    assert qala and all(c.place_id and c.country == "AF" for c in qala)
    assert all(c.place != "KABUL" for c in claims)  # the dateline is not where things happened
    assert any(c.time.earliest.utcoffset().total_seconds() == 4.5 * 3600 for c in claims)  # Asia/Kabul
    # Every required claim from the issue, with the gazetteer's places.
    def has(**want):
        return any(all((v(getattr(c, k)) if callable(v) else getattr(c, k) == v) for k, v in want.items())
                   for c in claims)
    assert has(place="Qala-e-Naw", status="controlled", actor="Taliban", claimant=lambda s: "Osmani" in s)
    assert has(status="controlled", actor="Taliban", claimant="Taliban spokesman", place="Badghis")
    assert has(place="Badghis", status="not_controlled", claimant="Afghan security officials")
    assert has(place="Qala-e-Naw", status="contested", scope="several parts of the city")
    assert has(place="Qala-e-Naw", status="controlled", actor="Government of Afghanistan",
               claimant="Afghan Defense Ministry")
    assert has(place="Badghis", scope="6 of 7 districts", actor="Taliban")
    for prov in ("Badakhshan", "Takhar", "Kunduz"):
        assert has(place=prov, scope="majority of districts", actor="Taliban")


def test_flags_column_and_json_output(tmp_path):
    """Invented text: a flagged draft (no known actor, unresolved speaker) and the JSON form."""
    text = "Gunmen of the Red Hill Band seized Kunduz on Monday, it said."
    csv_out = tmp_path / "c.csv"
    r = _run(["-", "--published", "2021-07-07", "--no-gazetteer", "--source", "Wire", "-o", str(csv_out)],
             input=text)
    assert r.exit_code == 0, r.output
    assert "carry flags" in r.stderr
    claims, _ = read_claims([csv_out])
    flags = dict(claims[0].extra)["flags"].split(";")
    assert "speaker_unresolved" in flags and "place_unresolved" in flags and claims[0].claimant == "Wire"

    r = _run(["-", "--published", "2021-07-07", "--no-gazetteer", "--format", "json", "-o", "-"], input=text)
    assert r.exit_code == 0, r.output
    import json

    records = json.loads(r.stdout)
    assert records[0]["place"] == "Kunduz" and "speaker_unresolved" in records[0]["flags"]
    assert records[0]["sentence_start"] == 0


def test_actors_file_names_a_group(tmp_path):
    actors = tmp_path / "actors.csv"
    actors.write_text("name,kind,country,side,aliases,acronyms,colour,source\n"
                      "Red Hill Band,non_state,AF,,Red Hill fighters,RHB,#123456,test\n", encoding="utf-8")
    out = tmp_path / "c.csv"
    r = _run(["-", "--published", "2021-07-07", "--no-gazetteer", "--actors", str(actors), "-o", str(out)],
             input="RHB fighters seized Kunduz on Monday, officials said.")
    assert r.exit_code == 0, r.output
    claims, _ = read_claims([out])
    assert [(c.place, c.actor) for c in claims] == [("Kunduz", "Red Hill Band")]
