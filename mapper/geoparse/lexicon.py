"""Word lists for toponym recognition: what looks like a place name but is not.

Kept as plain data so a reviewer can see every rule. The lists are general
English and news conventions, not tuned to one corpus.
"""

from __future__ import annotations

#: Nationality / regional adjectives -> the place they refer to (GeoNames-style English name).
#: Annotated corpora (GeoWebNews, TR-News, LGL) count "Russian hackers" as a mention of Russia;
#: plural nouns for people ("the Russians") are not places and are not listed.
ADJECTIVE_PLACES = {
    "Afghan": "Afghanistan", "Albanian": "Albania", "Algerian": "Algeria", "American": "United States",
    "Angolan": "Angola", "Argentine": "Argentina", "Argentinian": "Argentina", "Armenian": "Armenia",
    "Australian": "Australia", "Austrian": "Austria", "Azerbaijani": "Azerbaijan", "Bahraini": "Bahrain",
    "Bangladeshi": "Bangladesh", "Belarusian": "Belarus", "Belgian": "Belgium", "Bolivian": "Bolivia",
    "Bosnian": "Bosnia and Herzegovina", "Brazilian": "Brazil", "British": "United Kingdom",
    "Bulgarian": "Bulgaria", "Burmese": "Myanmar", "Burundian": "Burundi", "Cambodian": "Cambodia",
    "Cameroonian": "Cameroon", "Canadian": "Canada", "Chadian": "Chad", "Chilean": "Chile", "Chinese": "China",
    "Colombian": "Colombia", "Congolese": "Democratic Republic of the Congo", "Croatian": "Croatia",
    "Cuban": "Cuba", "Cypriot": "Cyprus", "Czech": "Czechia", "Danish": "Denmark", "Dutch": "Netherlands",
    "Ecuadorian": "Ecuador", "Egyptian": "Egypt", "Emirati": "United Arab Emirates", "English": "England",
    "Eritrean": "Eritrea", "Estonian": "Estonia", "Ethiopian": "Ethiopia", "Filipino": "Philippines",
    "Finnish": "Finland", "French": "France", "Georgian": "Georgia", "German": "Germany", "Ghanaian": "Ghana",
    "Greek": "Greece", "Guatemalan": "Guatemala", "Haitian": "Haiti", "Honduran": "Honduras",
    "Hungarian": "Hungary", "Icelandic": "Iceland", "Indian": "India", "Indonesian": "Indonesia",
    "Iranian": "Iran", "Iraqi": "Iraq", "Irish": "Ireland", "Israeli": "Israel", "Italian": "Italy",
    "Ivorian": "Ivory Coast", "Jamaican": "Jamaica", "Japanese": "Japan", "Jordanian": "Jordan",
    "Kazakh": "Kazakhstan", "Kenyan": "Kenya", "Kosovar": "Kosovo", "Kuwaiti": "Kuwait", "Kyrgyz": "Kyrgyzstan",
    "Lao": "Laos", "Latvian": "Latvia", "Lebanese": "Lebanon", "Liberian": "Liberia", "Libyan": "Libya",
    "Lithuanian": "Lithuania", "Macedonian": "North Macedonia", "Malagasy": "Madagascar",
    "Malawian": "Malawi", "Malaysian": "Malaysia", "Malian": "Mali", "Maltese": "Malta",
    "Mauritanian": "Mauritania", "Mexican": "Mexico", "Moldovan": "Moldova", "Mongolian": "Mongolia",
    "Montenegrin": "Montenegro", "Moroccan": "Morocco", "Mozambican": "Mozambique", "Namibian": "Namibia",
    "Nepali": "Nepal", "Nepalese": "Nepal", "Nicaraguan": "Nicaragua", "Nigerian": "Nigeria",
    "Nigerien": "Niger", "Norwegian": "Norway", "Omani": "Oman", "Pakistani": "Pakistan",
    "Palestinian": "Palestine", "Panamanian": "Panama", "Paraguayan": "Paraguay", "Peruvian": "Peru",
    "Polish": "Poland", "Portuguese": "Portugal", "Qatari": "Qatar", "Romanian": "Romania", "Russian": "Russia",
    "Rwandan": "Rwanda", "Salvadoran": "El Salvador", "Saudi": "Saudi Arabia", "Scottish": "Scotland",
    "Senegalese": "Senegal", "Serbian": "Serbia", "Singaporean": "Singapore", "Slovak": "Slovakia",
    "Slovenian": "Slovenia", "Somali": "Somalia", "Spanish": "Spain", "Sri Lankan": "Sri Lanka",
    "Sudanese": "Sudan", "Swedish": "Sweden", "Swiss": "Switzerland", "Syrian": "Syria",
    "Taiwanese": "Taiwan", "Tajik": "Tajikistan", "Tanzanian": "Tanzania", "Thai": "Thailand",
    "Tunisian": "Tunisia", "Turkish": "Turkey", "Turkmen": "Turkmenistan", "Ugandan": "Uganda",
    "Ukrainian": "Ukraine", "Uruguayan": "Uruguay", "Uzbek": "Uzbekistan", "Venezuelan": "Venezuela",
    "Vietnamese": "Vietnam", "Welsh": "Wales", "Yemeni": "Yemen", "Zambian": "Zambia",
    "Zimbabwean": "Zimbabwe", "South African": "South Africa", "North Korean": "North Korea",
    "South Korean": "South Korea", "Korean": "South Korea", "New Zealand": "New Zealand",
    "European": "Europe", "African": "Africa", "Asian": "Asia", "Latin American": "Latin America",
    "Central American": "Central America", "North American": "North America", "South American": "South America",
    "Southeast Asian": "Southeast Asia", "Central Asian": "Central Asia", "North African": "North Africa",
    "Middle Eastern": "Middle East", "Arab": "",  # "Arab" names no single place
    # Regions and provinces with an adjective of their own (annotated like the national ones).
    "Abkhaz": "Abkhazia", "Abkhazian": "Abkhazia", "North Ossetian": "North Ossetia", "Chechen": "Chechnya",
    "Dagestani": "Dagestan", "Crimean": "Crimea", "Tibetan": "Tibet", "Catalan": "Catalonia",
    "Bavarian": "Bavaria", "Tasmanian": "Tasmania", "Texan": "Texas", "Californian": "California",
    "Punjabi": "Punjab", "Sindhi": "Sindh", "Baloch": "Balochistan", "Balochi": "Balochistan",
    "Darfuri": "Darfur", "Transnistrian": "Transnistria", "Uyghur": "Xinjiang", "Uighur": "Xinjiang",
}

def adjective_place(word: str) -> str:
    """The place a nationality adjective or its plural noun names ("Russians" -> "Russia"), or ""."""
    word = word.strip()
    target = ADJECTIVE_PLACES.get(word)
    if target is None and word.endswith("s"):
        target = ADJECTIVE_PLACES.get(word[:-1])
    return target or ""


#: All-capital abbreviations that name a country.
CODE_PLACES = {
    "US": "United States", "U.S.": "United States", "U.S": "United States", "USA": "United States",
    "U.S.A.": "United States", "UK": "United Kingdom", "U.K.": "United Kingdom", "UAE": "United Arab Emirates",
    "DRC": "Democratic Republic of the Congo", "PRC": "China", "DPRK": "North Korea", "ROK": "South Korea",
    "EU": "Europe", "L.A.": "Los Angeles",
}

#: Titles and roles before a personal name ("Governor Hessamuddin Shams").
PERSON_TITLES = frozenset("""
mr mrs ms miss dr prof sir lady lord gen general lt col colonel maj major capt captain sgt sergeant adm admiral
cmdr commander gov governor president vice pres minister secretary senator sen rep representative mayor
judge justice chief spokesman spokeswoman spokesperson sheikh sheik mullah imam bishop pope king queen prince
princess emir sultan ambassador officer deputy director chairman chairwoman coach pastor father rev reverend
saint st dame premier chancellor councillor councilman councilwoman commissioner superintendent sheriff
detective agent officer inspector warlord commander-in-chief mp lawmaker
""".split()) - {"st", "saint"}

#: Capitalised words after a place name that make the phrase an organisation, event or thing,
#: not a place ("Kabul Bank", "Paris Agreement"). Major places are still kept as modifiers.
ORG_HEADS = frozenset("""
press times post news journal herald tribune gazette daily telegraph guardian observer chronicle bank
university college school academy institute hospital clinic airlines airways airport railway company corp
corporation inc ltd group party council ministry department agency commission committee association union
club team fc united city-fc stadium museum church mosque cathedral temple hotel mall center centre
conference agreement accord treaty declaration protocol summit convention festival games olympics
police army navy force forces guard brigade regiment corps command court tribune radio tv television
network channel magazine review foundation fund trust society league federation senate assembly
parliament congress cabinet government administration authority office bureau service services
directorate division unit units operation operations institution organisation organization
""".split())

#: Words that look like type words: "X Province", "X City", "X County" keep X a place.
PLACE_HEADS = frozenset("""
province provinces district districts city town village county counties state states region regions
river valley mountains mountain mount lake sea ocean bay gulf island islands peninsula desert coast
border borough parish municipality governorate oblast prefecture department canton territory
street avenue road highway bridge square park heights hills beach harbor harbour port
""".split())

#: Capitalised words that are never places in running text (days, months, pronouns, titles...).
NEVER_PLACES = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december jan feb aug sept oct nov dec tue tues wed thu thurs fri sat
sun i he she we they it you his her their our its the a an this that
these those mr mrs ms dr god allah christmas easter ramadan eid islam christianity internet facebook twitter
google youtube instagram whatsapp telegram reuters afp ap bbc cnn press enter breaking daily update video
photo image share comment comments read more click here covid coronavirus ebola zika aids hiv
taliban isis isil daesh hamas hezbollah
""".split())

#: Lower-case function words allowed inside a multi-word place name ("Bosnia and Herzegovina").
INNER_FUNCTION_WORDS = frozenset("of and de del la le du da dos das des e i y al el ul ur on upon the am im an in".split())

#: Capitalised words opening a sentence before a name that are no part of a personal name ("A DeKalb man").
DETERMINERS = frozenset("a an the this that these those every each another some any no our their his her its my "
                        "your both all many most several".split())

#: Postal-style abbreviations news agencies write after a town ("Richmond, Ky."): (admin1 name, country).
ADMIN1_ABBREVIATIONS = {
    "Ala.": ("Alabama", "US"), "Ariz.": ("Arizona", "US"), "Ark.": ("Arkansas", "US"), "Calif.": ("California", "US"),
    "Colo.": ("Colorado", "US"), "Conn.": ("Connecticut", "US"), "Del.": ("Delaware", "US"), "Fla.": ("Florida", "US"),
    "Ga.": ("Georgia", "US"), "Ill.": ("Illinois", "US"), "Ind.": ("Indiana", "US"), "Kan.": ("Kansas", "US"),
    "Kans.": ("Kansas", "US"), "Ky.": ("Kentucky", "US"), "La.": ("Louisiana", "US"), "Md.": ("Maryland", "US"),
    "Mass.": ("Massachusetts", "US"), "Mich.": ("Michigan", "US"), "Minn.": ("Minnesota", "US"),
    "Miss.": ("Mississippi", "US"), "Mo.": ("Missouri", "US"), "Mont.": ("Montana", "US"), "Neb.": ("Nebraska", "US"),
    "Nev.": ("Nevada", "US"), "N.H.": ("New Hampshire", "US"), "N.J.": ("New Jersey", "US"),
    "N.M.": ("New Mexico", "US"), "N.Y.": ("New York", "US"), "N.C.": ("North Carolina", "US"),
    "N.D.": ("North Dakota", "US"), "Okla.": ("Oklahoma", "US"), "Ore.": ("Oregon", "US"), "Pa.": ("Pennsylvania", "US"),
    "R.I.": ("Rhode Island", "US"), "S.C.": ("South Carolina", "US"), "S.D.": ("South Dakota", "US"),
    "Tenn.": ("Tennessee", "US"), "Tex.": ("Texas", "US"), "Vt.": ("Vermont", "US"), "Va.": ("Virginia", "US"),
    "Wash.": ("Washington", "US"), "W.Va.": ("West Virginia", "US"), "W.Va": ("West Virginia", "US"),
    "Wis.": ("Wisconsin", "US"), "Wyo.": ("Wyoming", "US"), "D.C.": ("District of Columbia", "US"),
    "Ont.": ("Ontario", "CA"), "Que.": ("Quebec", "CA"), "Man.": ("Manitoba", "CA"), "Alta.": ("Alberta", "CA"),
    "Sask.": ("Saskatchewan", "CA"), "B.C.": ("British Columbia", "CA"), "N.S.": ("Nova Scotia", "CA"),
    "N.B.": ("New Brunswick", "CA"), "Nfld.": ("Newfoundland and Labrador", "CA"),
}
