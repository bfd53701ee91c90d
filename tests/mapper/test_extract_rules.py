"""Extraction rules on invented sentences about other wars (held out from rule writing on the seeds).

Each sentence checks one rule: agent/patient side, passive voice, denial, negation, attribution at the
start, end or via "according to", scope wording, intention, foreign vs own forces, relative times.
"""

from __future__ import annotations

from datetime import date

import pytest
from extract_fakes import FakeGeoparser

from mapper.extract import extract_claims
from mapper.model import ATTACKED, CONTESTED, CONTROLLED, NOT_CONTROLLED

PLACES = {
    "Soledar": ("populated_place", "UA", "Donetsk"), "Bakhmut": ("populated_place", "UA", "Donetsk"),
    "Ukraine": ("country", "UA", ""), "Kherson": ("populated_place", "UA", "Kherson"),
    "Boni": ("populated_place", "ML", "Mopti"), "Mali": ("country", "ML", ""),
    "Mopti": ("populated_place", "ML", "Mopti"), "Goma": ("populated_place", "CD", "Nord-Kivu"),
    "Saraqeb": ("populated_place", "SY", "Idlib"), "Palmyra": ("populated_place", "SY", "Homs"),
    "Marawi": ("populated_place", "PH", "Lanao del Sur"), "Kismayo": ("populated_place", "SO", "Lower Juba"),
    "Marib": ("admin1", "YE", ""), "Helmand": ("admin1", "AF", ""), "Kunduz": ("admin1", "AF", ""),
    "Idlib": ("admin1", "SY", ""), "Tal Afar": ("populated_place", "IQ", "Nineveh"),
}
GEO = FakeGeoparser(PLACES)


def one(sentence, published, **want):
    claims = extract_claims(sentence, published=published, source="Wire", geoparser=GEO)
    assert len(claims) == 1, [(c.place, c.status, c.actor, c.claimant) for c in claims]
    c = claims[0]
    for k, v in want.items():
        assert getattr(c, k) == v, (k, getattr(c, k), v)
    return c


def test_foreign_forces_and_final_attribution():
    c = one("Russian forces captured the town of Soledar in eastern Ukraine on Wednesday, the Russian Defence "
            "Ministry said.", "2023-01-12", place="Soledar", status=CONTROLLED, actor="Russian forces",
            claimant="Russian Defence Ministry")
    assert c.time.earliest.date() == date(2023, 1, 11) and c.time.precision == "day"


def test_denial_of_a_named_groups_claim_keeps_both():
    claims = extract_claims("Ukrainian officials denied Wagner claims that Bakhmut had fallen.",
                            published="2023-05-21", geoparser=GEO)
    by_status = {c.status: c for c in claims}
    assert set(by_status) == {NOT_CONTROLLED, CONTROLLED}
    assert by_status[NOT_CONTROLLED].claimant == "Ukrainian officials"
    assert by_status[NOT_CONTROLLED].actor == "Wagner Group"  # the registry's canonical name
    assert by_status[CONTROLLED].claimant == "Wagner Group"
    assert by_status[CONTROLLED].confidence < by_status[NOT_CONTROLLED].confidence


def test_according_to_and_generic_insurgents():
    c = one("Jihadists seized the town of Boni in central Mali on Sunday, according to local officials.",
            "2019-06-10", place="Boni", status=CONTROLLED, claimant="local officials")
    assert c.actor == "Insurgents"  # no named group in the text: the generic word stays generic
    assert c.time.earliest.date() == date(2019, 6, 9)


def test_passive_expulsion_with_agent_and_last_night():
    c = one("M23 rebels were driven out of Goma by Congolese troops last night, the army said.", "2012-11-25",
            place="Goma", status=NOT_CONTROLLED, actor="March 23 Movement", claimant="army")
    assert c.time.precision == "daypart" and c.time.earliest.date() == date(2012, 11, 24)


def test_own_army_is_government_and_report_time():
    c = one("The Syrian army retook full control of Saraqeb, state media reported on Monday.", "2020-03-03",
            place="Saraqeb", status=CONTROLLED, actor="Government", claimant="state media")
    assert c.time.earliest.date() == date(2020, 3, 2)


def test_fighting_is_contested():
    one("Fighting is still raging in Marawi, the military said.", "2017-06-01", place="Marawi",
        status=CONTESTED, claimant="military")


def test_all_n_districts_scope():
    one("Government forces now control all seven districts of Kunduz province, a spokesman said.",
        "2021-06-01", place="Kunduz", status=CONTROLLED, actor="Government", scope="all 7 districts")


def test_clause_after_but_does_not_leak_time():
    c = one("Al-Shabaab fighters overran a military base near Kismayo, but Somali troops pushed them back on "
            "Tuesday afternoon.", "2019-05-05", place="Kismayo", status=CONTROLLED, scope="military base")
    assert "publication date" in c.notes


def test_negation():
    one("Militants have not captured Mopti, the governor insisted.", "2019-05-05", place="Mopti",
        status=NOT_CONTROLLED, claimant="governor")


def test_under_control_count_scope():
    one("Six out of nine districts in Helmand are under Taliban control, local officials said.", "2021-05-20",
        place="Helmand", status=CONTROLLED, actor="Taliban", scope="6 of 9 districts", claimant="local officials")


def test_told_outlet_keeps_speaker():
    c = one("Houthi fighters are now in control of most districts in Marib province, residents told Reuters.",
            "2021-02-20", place="Marib", status=CONTROLLED, claimant="residents", scope="majority of districts")
    assert "Reuters" in c.notes


def test_intentions_make_no_claim():
    assert extract_claims("The army sent reinforcements to retake Palmyra.", published="2016-03-01",
                          geoparser=GEO) == []
    assert extract_claims("Commanders vowed they would capture Tal Afar within days.", published="2017-08-20",
                          geoparser=GEO) == []


def test_passive_liberation_with_date():
    c = one("Kherson was liberated by Ukrainian forces on November 11.", "2022-11-12", place="Kherson",
            status=CONTROLLED, actor="Government")
    assert c.time.earliest.date() == date(2022, 11, 11)


def test_fell_to_names_the_winner():
    one("Saraqeb fell to Syrian government forces on Wednesday after weeks of heavy fighting, a war monitor said.",
        "2020-01-30", place="Saraqeb", status=CONTROLLED, actor="Government", claimant="war monitor")


def test_attack_is_not_a_change_of_control():
    one("Islamic State militants launched an attack on Tal Afar on Friday.", "2017-08-20", place="Tal Afar",
        status=ATTACKED, actor="Islamic State")


@pytest.mark.parametrize("sentence", [
    "Bakhmut is a salt-mining town.",
    "The price of bread fell in Goma.",  # 'fell' without a place as subject
    "Officials said the road to Mopti was closed.",
])
def test_no_control_language_no_claim(sentence):
    assert extract_claims(sentence, published="2020-01-01", geoparser=GEO) == []
