"""Common English words that are also place names in the gazetteer ("Enter", "Reading", "Mobile").

Derived once from word counts in WikToR and GeoVirus texts (development corpora that are not
used to score recognition): single words written in lower case at least four times and at
least half as often as capitalised mid-sentence, intersected with one-word gazetteer names.
A capitalised occurrence of one of these is only taken as a place with supporting evidence
(not sentence-initial, a context cue, or a large place).
"""

COMMON_WORDS = frozenset("""
a acre acreage advance advent ag agency ago air airport aka al alley alone along alpine altar am an and annex
antique any apple apples arch arches are area arena arm art artesian artillery artist arts as asbestos ash ask
assumption at ate au baba bad balance bamboo ban banana band bank banks bar barber barley barn barrios bars
base basic basin battle be beach beaches bear bed beer beets began begun belt bend best bid big bigger bin
birch bishop blacks blacksmiths bluffs bond book boom border borders bore born borne bottom boundary bountiful
box brain branch brand brick bridge bridges bright broke brooks bull burgh bus bust busy but buy by cafe
caldera came camp camps can canals cane canning canoe canoes canton canyon capital car carbon carding care
cargo carry cars cases cash casino cast castle cathedral cave caves celebration cell cement centennial center
central centre centres cents century chance change charge charm chili choir church circa circle citrus city
clans clay clear cliffs coal coast cogon coin colony com come commerce commissioner common communal
competition compound concrete confederation confluence conservation contest continental convent conversion
cool copper corn cottage cotton council countryside course court cream crescent crest cricket cross crossing
crossroads culture cut d da dam daman date dawn de deal deep deer deg del deposit depot der di die dig dining
discovery divide do dock dog dollar dome dot down downtown drains drew driver drowning drug dry du dual due
dug e early earth east eastern economy effort electric en energy engineer enter enterprise entrance er era est
estate ever excellent exchange export eye factory fall fan far farm farmer farmers farmland farms fate federal
fee feel fell fertile financial fiscal fish flat flats fleet flint flora flowers force ford forest fort
fortune fossil fountain four free freedom freshwater friend friendly from front frost fully g gaming gardens
garrison gas gate gates gateway general gets gin give glass globe go goes going gold goldfield golf gone
gorges got government grain grandson granite grant grants grass grave gray green groves guide guns guy ha
halfway halls hamlet hands harbor harbour hard hardware harm harvest hat hatting hay he headquarters healthy
heard heritage hero hide highways hill hills hillside hilltop historical hit hog holiday holy home homeland
homestead homesteads hometown honey hospital hot hour hub human hunt hunting hurricane i in independence
industry inland inlet inner international iron is island islands job junction junior juniper jury just justice
k kawit key kill kings knowledge lab labor lack lakes landing landmark lane latitude law lay le lead leader
leisure lent level liberal lie lime limestone limit line list lit literary little lively lives loan location
lock log long look loop loss lost lot lower lowlands loyal lumber lush machines mad made magazine magic
mailing main maize major make makes male males mall man manage mandal manor mansion many maple marble marches
marina marine maritime mark market marks marshes mascot massacre maximum may me meadow meadows means media
meeting men mercury mere met metal meter metropolis mi mid middle midway mile miles mill mills mine mineral
miners mining minister minor mission mobile model modern monument more mosquito most motor mound mounds
mountain much mud nagar name naval nave nearest needle needles net never newborn newcomers nine ning no noble
non none nor normal north northeast northeastern northern northward northwest nut o oak oasis ob occasion of
off officer oil old on one onset opera opportunity or oral orchard orchards ore our outer over overland
oversee own p pace pack page painter palm paper parent parkland parks part passage pavilion pay peace peak
peninsula per pet phone picture pier pile pine pioneer placer plain plains plan plans plant plantation plaque
plat plate plateau plaza plenty plot plus point police ponds pool pop poplar popular port portage poses
possession post postal potteries pound powers prairie pre price principal proclamation progress project
prosperity prosperous proven pueblo purchase pure put quarter race rail rain ran range rapid rapids rate re
reach real receiving record red reform research reserve reservoir rest retreat rice rich ride ridge riding
rifle ring rise risen riverbank rivers road rock rocks rode rodeo root rose round row royal rugby rule run
runaway rural rush s sa said sale sales salon salt same samples sand sandstone sandy sauce save sawmill
sawmills say scenic science sea seaside section sector see seem seen sell sells selo semi send sent serpentine
serves set settle settlement seven shaft shape share shared she shi shingle ships shipyard shore shoreline
shot shut side siding silt silver since singer sisters sitio sixteen ski sky slaughter slope snow so sole son
song sort south southeastern southern southwest spa spire split spoken spray spring springs spur stables
stagecoach stamp star start state station steep still stock stone store story strong studio success sued sugar
summer sun sunshine surf surprise swamp sweet tahir taking tall tank tavern tea tell tells temple ten terminal
terminus than them thermal ti tie till time times tip to toll ton torn tornado tour tourist tours tower town
train transit trap tree trial trip try tsunami tun turn twin ul unity up upland upper us used uses v vary ve
veteran vice victory villa village villages villas vineyards vol volcano von vote voters w wake walk wall
walls ward wards wash waterfront waterways wave way ways we wedding week well wells were west westerly western
wetter wharf white whites wilderness wines wing winner winters wood woodland woods wool worth young youth yuan
zero zone zoo
""".split())
