"""Common English short and alternate country names that ISO 3166 does not list.

Keys are ISO 3166-1 alpha-2 codes. Sources: everyday English usage and the
spellings ACLED and UCDP use (UCDP adds historical names in parentheses,
e.g. "DR Congo (Zaire)", which the resolver splits itself).
"""

COUNTRY_ALIASES = {
    "AE": ["UAE", "U.A.E.", "Emirates", "United Arab Emirates"],
    "BA": ["Bosnia", "Bosnia-Herzegovina"],
    "BO": ["Bolivia"],
    "BN": ["Brunei"],
    "CD": ["DR Congo", "DRC", "Democratic Republic of Congo", "Congo-Kinshasa", "Zaire",
           "Congo (Kinshasa)", "D.R. Congo", "DR of Congo", "Congo, Democratic Republic of the",
           "Democratic Republic of the Congo", "Congo, Dem. Rep."],
    "CG": ["Congo", "Republic of Congo", "Congo-Brazzaville", "Congo Republic",
           "Congo (Brazzaville)", "Congo, Rep."],
    "CI": ["Ivory Coast", "Cote d'Ivoire", "the Ivory Coast"],
    "CV": ["Cape Verde"],
    "CZ": ["Czech Republic", "Czechia"],
    "FM": ["Micronesia"],
    "GB": ["UK", "U.K.", "United Kingdom", "Britain", "Great Britain", "England"],
    "KP": ["North Korea", "DPRK", "D.P.R.K."],
    "KR": ["South Korea", "Korea"],
    "LA": ["Laos"],
    "MD": ["Moldova"],
    "MK": ["Macedonia", "North Macedonia"],
    "MM": ["Burma", "Myanmar"],
    "NL": ["Holland", "Netherlands"],
    "RU": ["Russia", "Soviet Union", "USSR", "Russian Federation"],
    "SZ": ["Swaziland", "Eswatini"],
    "TL": ["East Timor", "Timor-Leste"],
    "TR": ["Turkey", "Turkiye", "Türkiye"],
    "TW": ["Taiwan"],
    "TZ": ["Tanzania"],
    "US": ["US", "USA", "U.S.", "U.S.A.", "United States", "America", "United States of America",
           "the States"],
    "VA": ["Vatican", "Holy See", "Vatican City"],
    "VE": ["Venezuela"],
    "VN": ["Vietnam", "Viet Nam"],
    "YE": ["Yemen", "North Yemen"],
    "ZW": ["Zimbabwe", "Rhodesia"],
    "KH": ["Cambodia", "Kampuchea"],
    "MG": ["Madagascar", "Malagasy"],
    "RS": ["Serbia", "Yugoslavia"],
    "XK": ["Kosovo"],
    "SS": ["South Sudan"],
    "CF": ["CAR", "Central African Republic"],
    "GM": ["Gambia", "The Gambia"],
    "BS": ["Bahamas", "The Bahamas"],
    "SA": ["Saudi Arabia", "KSA"],
    "CN": ["China", "PRC", "Mainland China"],
    "PS": ["Palestine", "Palestinian Territories", "Occupied Palestinian Territory", "State of Palestine"],
    "SY": ["Syria", "Syrian Arab Republic"],
    "IR": ["Iran", "Persia", "Islamic Republic of Iran"],
}


def alias_code(key: str) -> str:
    """ISO alpha-2 code for a normalized country alias ("uk", "u k", "great britain", "the us"), or "".

    ``key`` is :func:`gazetteer.normalize.normalize` of the text; a leading "the" is ignored
    ("the UK", "the Ivory Coast"). The table is normalized once, on first use.
    """
    table = _alias_table()
    hit = table.get(key)
    if hit is None and key.startswith("the "):
        hit = table.get(key[4:])
    return hit or ""


_TABLE: dict = {}


def _alias_table() -> dict:
    if not _TABLE:
        from gazetteer.normalize import normalize

        for cc, names in COUNTRY_ALIASES.items():
            for n in names:
                _TABLE.setdefault(normalize(n), cc)
    return _TABLE
