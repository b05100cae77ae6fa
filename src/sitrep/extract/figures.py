"""Casualty figures in one parsed sentence.

A figure is a quantity (digits, number words, a vague phrase from `codebook/quantities.yaml`, or
"a/the <person>" as one) linked to a casualty kind by, in order:

1. a subset cue before it ("including 4 children", "among them 3 women"): the kind of the figure
   it belongs to, flagged `subset`;
2. a trigger after its noun phrase ("3 people were killed", "12 dead", "5 remain missing"),
   unless the trigger is an active verb with its own object ("two bombs killed 20": the bombs
   are the agent);
3. a trigger verb before it ("killing at least 12", "wounded dozens");
4. a casualty noun as its head ("20 deaths", "claimed 20 lives", "3 hostages");
5. a toll before it ("the death toll rose to 20", "the number of wounded reached 40");
6. the neighbouring figure: "another 48", "12 more", "killed 3 civilians and 2 soldiers"
   inherit from the figure before; "3 soldiers and 2 civilians were killed" from the one after.

Zero figures come from "no one was hurt", "nobody was killed", "no deaths" and "no casualties"
(killed 0 and injured 0); "no reports of casualties" is unknown, not zero. A 0 said of the people not
counted already or of one person ("no one else was hurt", "no other injuries", "his wife escaped
unharmed", "was not hurt") is scoped `NOBODY_ELSE`. Words that name no number ("several", "some":
`number: false` in quantities.yaml) give claim rows scoped `NO_NUMBER`, never a toll. "Both" counts
two; a bare count after a larger one of the wounded ("two were shot; one was treated") is a part of it;
one person told through their care ("one victim is in critical condition") or beside another who died
in the same sentence is one person, not the toll. Nobody named in a wire dateline is a victim. Quantities that are
ages, dates, years, times, money, percentages, measures or counts of things are never figures.
`perpetrators` marks attackers ("the bomber also died"); `aggregate` marks whole-conflict or
cumulative tolls ("a war that has killed 270,000", "have been killed since 2011", "in total").
`low`/`high` equal `value` except for vague phrases and ranges ("10 to 15": value 10, range).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Span, Token

from sitrep.codebook import read_codebook_file
from sitrep.records import FigureKind, FigureMention, Qualifier

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS)
_DIGITS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)$")
_DECIMAL = re.compile(r"^\d+\.\d+$")

_QUALIFIERS: dict[tuple[str, ...], Qualifier] = {
    **dict.fromkeys([("at", "least"), ("no", "fewer", "than"), ("no", "less", "than"),
                     ("a", "minimum", "of"), ("not", "less", "than")], "at least"),
    **dict.fromkeys([("more", "than"), ("over",), ("upwards", "of"), ("in", "excess", "of"),
                     ("above",), ("just", "over"), ("well", "over")], "more than"),
    **dict.fromkeys([("up", "to"), ("as", "many", "as"), ("at", "most"),
                     ("a", "maximum", "of")], "up to"),
    **dict.fromkeys([("about",), ("around",), ("nearly",), ("almost",), ("some",),
                     ("approximately",), ("roughly",), ("an", "estimated"), ("estimated",),
                     ("close", "to"), ("circa",), ("approx",), ("approx.",),
                     ("an", "estimated", "of")], "about"),
    **dict.fromkeys([("less", "than"), ("fewer", "than"), ("under",), ("below",),
                     ("just", "under")], "less than"),
}

_KILLED: FigureKind = "killed"
_AFTER: dict[str, FigureKind] = {
    **dict.fromkeys("killed dead died dies slain massacred murdered executed assassinated "
                    "perished lynched beheaded slaughtered".split(), "killed"),
    **dict.fromkeys("injured wounded hurt hospitalised hospitalized maimed grazed".split(), "injured"),
    **dict.fromkeys("missing disappeared".split(), "missing"),
    **dict.fromkeys("kidnapped kidnaped abducted hostage hostages captive".split(), "kidnapped"),
    **dict.fromkeys("arrested detained captured seized".split(), "arrested"),
}
_BEFORE: dict[str, FigureKind] = {
    **dict.fromkeys("killed killing kills massacred massacring murdered murdering executed "
                    "executing slaughtered slaughtering slew assassinated".split(), "killed"),
    **dict.fromkeys("wounded wounding injured injuring hurt hurting maimed".split(), "injured"),
    **dict.fromkeys("kidnapped kidnaped kidnapping abducted abducting".split(), "kidnapped"),
    **dict.fromkeys("arrested arresting detained detaining captured capturing seized "
                    "seizing".split(), "arrested"),
}
_NEEDS_PERSON = frozenset("captured capturing seized seizing".split())
_INTRANSITIVE = frozenset("dead died dies perished missing disappeared hostage hostages "
                          "captive".split())
_KIND_NOUNS: dict[str, FigureKind] = {
    **dict.fromkeys("death fatality life body corpse".split(), "killed"),
    **dict.fromkeys("injury".split(), "injured"),
    **dict.fromkeys("hostage captive abductee".split(), "kidnapped"),
    **dict.fromkeys("arrest".split(), "arrested"),
}
_ZERO_WORDS: dict[str, tuple[FigureKind, ...]] = {
    **dict.fromkeys("killed died dead deaths fatalities".split(), ("killed",)),
    **dict.fromkeys("hurt injured wounded harmed injuries".split(), ("injured",)),
    **dict.fromkeys(["casualties", "victims"], ("killed", "injured")),
    **dict.fromkeys("kidnapped abducted".split(), ("kidnapped",)),
    **dict.fromkeys("arrested detained".split(), ("arrested",)),
    "missing": ("missing",),
}
_CASUALTY_ADJECTIVES = {"wounded": "injured", "injured": "injured", "dead": "killed", "missing": "missing",
                        "kidnapped": "kidnapped", "abducted": "kidnapped"}
PERSON_NOUNS = frozenset("""  # words for a person (singular: `_noun_in` takes plurals too)
person people man woman child boy girl baby infant toddler teenager teen adult civilian
soldier troop trooper serviceman guardsman policeman policewoman officer agent guard bodyguard
escort commander colonel general captain sergeant lieutenant major corporal private pilot sailor
marine militiaman fighter combatant rebel guerrilla insurgent militant terrorist subversive
extremist jihadist gunman attacker assailant bomber perpetrator hijacker kidnapper
peasant farmer worker employee labourer laborer driver passenger pedestrian bystander shopper
customer resident villager inhabitant citizen national foreigner tourist visitor pilgrim
worshipper worshiper student pupil teacher professor doctor nurse medic paramedic journalist
reporter photographer cameraman priest nun bishop cleric imam monk judge lawyer prosecutor
mayor councilman councillor governor minister official politician candidate deputy senator
congressman diplomat ambassador leader member activist unionist protester protestor
demonstrator businessman merchant trader vendor fisherman tribesman elder relative wife husband
son daughter mother father brother sister victim hostage prisoner detainee inmate suspect
shooter killer robber intruder burglar carjacker grandmother grandfather grandson granddaughter
girlfriend boyfriend fiance fiancee uncle aunt nephew niece cousin friend neighbor neighbour
stepfather stepmother stepson stepdaughter grandchild kid juvenile youth toddler newborn
mom dad mum mommy daddy sibling twin baby-sitter babysitter owner clerk cashier homeowner tenant
male female
classmate roommate coworker partner spouse
refugee migrant survivor volunteer staffer aide technician engineer contractor interpreter translator
chief principal superintendent director manager supervisor boss president chairman executive secretary
spokesman spokeswoman sheriff marshal constable ranger warden jailer gendarme patrolman detective inspector
investigator commissioner firefighter fireman lifeguard pastor preacher rabbi reverend deacon chaplain
missionary attorney surgeon dentist pharmacist mechanic electrician plumber carpenter miner builder chef
waiter waitress bartender barber doorman bouncer janitor cleaner housekeeper maid nanny caregiver caretaker
herder herdsman shepherd hunter shopkeeper storekeeper landlord motorist cyclist biker rider commuter
traveler traveller trucker courier postman mailman recruit cadet veteran conscript lawmaker legislator
king queen prince princess emir sheikh chieftain scholar scientist researcher banker accountant
thief shoplifter gangster dealer grader freshman sophomore musician rapper singer athlete player coach
parent grandparent minor adolescent stranger acquaintance occupant colleague patron guest fan
""".split())
_ORDINAL_PEOPLE = frozenset("second third fourth fifth sixth seventh eighth ninth tenth".split())
_STANDS_FOR_PERSON = frozenset("other one latter former first second third eldest oldest youngest".split())
_NOT_NAMES = frozenset("""
police department office county city state university college school hospital center centre
news inc co corp company church club bar lounge mall street avenue road court sheriff fire
image photo photos video videos caption gallery close share advertisement update updated previous
related read watch copyright click weather sports traffic story stories posted live breaking
""".split())
_PERPETRATORS = frozenset("gunman attacker assailant bomber perpetrator hijacker kidnapper "
                          "assassin shooter suspect killer robber intruder burglar carjacker "
                          "militant insurgent terrorist jihadist".split())
_NOT_PEOPLE = frozenset("""
minute hour day week month year decade century second night time times km kilometre kilometer
generation count charge
mile metre meter foot feet yard kilo kg kilogram ton tonne percent cent dollar euro pound peso
colon colone sol inti rupee explosion blast bomb bombing attack car vehicle truck bus house home
building shop store rocket missile shell mortar grenade round bullet shot rifle weapon gun village
town city province department district country point incident case raid strike airstrike
operation mine device hospital school station place site location storey story floor
""".split())
_AGE_UNITS = frozenset("year years month months week weeks day days".split())
_UNITS_AFTER = frozenset("% a.m. p.m. am pm o'clock hrs gmt block blocks".split())  # "the 200 block of Elm St."
_CURRENCY = frozenset("$ us$ € £ ¥ rs usd".split())
_NON_COUNT_BEFORE = frozenset("aged age ages no. number route highway page flight resolution "
                              "article".split())
_MONTHS = frozenset("jan january feb february mar march apr april may jun june jul july aug "
                    "august sep sept september oct october nov november dec december".split())
_TEMPORAL = frozenset("yesterday today tonight overnight last this early late monday tuesday "
                      "wednesday thursday friday saturday sunday morning afternoon evening "
                      "night".split())
_PASSIVE_AUX = frozenset("was were is are be been being got get".split())
_GAP_WORDS = frozenset("""
have has had was were is are be been being got get reportedly also all both later subsequently
allegedly apparently officially already now initially still each who that which either
remain remained remains
""".split())
_REPORTING = frozenset("reported confirmed believed feared thought said known found listed "
                       "presumed left".split())
_NEGATIONS = frozenset(["not", "n't", "never", "no"])
_SINGULAR_DETS = frozenset("a an the his her their its our my another".split())
_OF_THEM = (["of", "them"], ["of", "whom"])
_OF_DETS = frozenset("the those these their its his her our".split())
_PP_PREPS = frozenset("of in at from on near inside aboard during".split())
_PARENTHETICAL = frozenset("including among mostly mainly most many all both some".split())
_SUBSET_BEFORE = frozenset(["including", "included", "include", "includes"])
_SUBSET_PAIRS = frozenset([("among", "them"), ("among", "whom"), ("of", "whom"),
                           ("among", "those"), ("of", "them")])
_TOLL_LINK = frozenset("""
the death casualty final official overall toll rose risen rising climbed climbing reached reach
jumped increased increasing stood stands stand is was has had been to at of now further put
already hit reaching
""".split())
_INHERIT_BEFORE = frozenset(["another", "further", "additional"])
_INHERIT_AFTER = frozenset(["others", "more"])
_COORDINATION = frozenset(["and", ",", "plus", "as", "well", "while"])
_AGGREGATE_NOUNS = frozenset("war conflict fighting violence insurgency uprising crisis campaign "
                             "revolution unrest rebellion struggle".split())
# A sentence holds a figure only if one of these 4-letter stems occurs in it: a cheap gate.
_GATE = tuple(sorted({w[:4] for w in (*_AFTER, *_BEFORE, *_ZERO_WORDS)}
                     | {"toll", "deat", "fata", "live", "life", "bodi", "body", "corp", "inju",
                        "host", "capt", "abdu", "arre", "gunn", "unac", "shot", "shoo", "stab", "surv",
                        "cond", "hims", "hers", "suic", "homi", "hosp", "succ", "murd", "mort",
                        "away", "make", "fata", "dead", "unha", "unhu", "unin", "unsc", "airl", "trau", "rush",
                        "tran", "trea", "hit", "stru"}))
_CUMULATIVE = re.compile(
    r"\b(?:in\s+total|altogether|cumulative|overall\s+toll|so\s+far\s+(?:this|in)\b|"
    r"this\s+year\s+alone)"
    # a toll of several incidents: "left seven people dead ... in 17 shootings", "in those shootings"
    # ("in two attacks" with a toll for each place is two incidents, each with its own count)
    r"|\b(?:in|across|during|from)\s+(?:[3-9]|\d\d+|three|four|five|six|seven|eight|nine|ten|several|"
    r"multiple|those|these|separate)\s+(?:separate\s+|different\s+)?(?:[\w-]+-related\s+)?(?:shootings|incidents|attacks)\b"
    # several events that are the subject of the toll: "two shootings that left two men dead"
    r"|\b(?:two|2|[3-9]|three|four|five|several|multiple)\s+(?:separate\s+|different\s+)?(?:shootings|incidents|"
    r"attacks)\s+(?:\w+\s+)?(?:that|which)\s+(?:have\s+|had\s+)?(?:left|killed|claimed|resulted)\b"
    # one of several: "the first of two teenagers killed this weekend"; "a violent streak that includes"
    r"|\b(?:first|second|third|latest)\s+of\s+(?:two|three|four|five|\d+)\b|\b(?:violent\s+streak|spate|rash)\b",
    re.IGNORECASE)
_SINCE = re.compile(
    r"\bsince\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d{4}|the\s+(?:start|beginning|outbreak)\b|(?:the\s+)?(?:war|conflict|"
    r"uprising|fighting|insurgency|crisis|revolution)\s+(?:began|started|erupted|broke\s+out))"
    r"|\b(?:over|in|during)\s+the\s+(?:past|last)\s+(?:\w+\s+)?(?:days|weeks|months|years|decades?)"
    r"|\b(?:this|last)\s+year\b"
    r"|\b(?:in|during)\s+(?:the|this|that)\s+(?:[\w-]+\s+)?(?:war|conflict|struggle|insurgency|"
    r"uprising|crisis)\b",
    re.IGNORECASE)
_PERFECT = re.compile(r"\b(?:has|have|had)\s+(?:\w+\s+)?(?:been\s+)?"
                      r"(?:killed|died|wounded|injured|kidnapped|abducted|arrested|detained|shot)\b",
                      re.IGNORECASE)
_ZERO = re.compile(
    r"\b(?:no\s+one|no-one|nobody|none(?:\s+of\s+(?:the\s+)?\w+)?|not\s+a\s+single\s+\w+)\s+"
    r"(?:\w+\s+){0,2}?(?:was|were|has\s+been|have\s+been|had\s+been|is|are|got)\s+"
    r"(?:\w+\s+)?(?P<w>killed|hurt|injured|wounded|harmed|kidnapped|abducted|arrested|detained|"
    r"missing)(?:\s+or\s+(?P<w2>killed|hurt|injured|wounded|harmed))?\b"
    r"|\b(?:no\s+one|no-one|nobody|none)\s+(?P<w3>died)\b"
    # a group unhurt: "no officers were injured", "no other people were hurt", "no one else was shot"
    r"|\bno\s+(?:other\s+|more\s+|further\s+)?(?P<group>[a-z]+)\s+(?:was|were|has\s+been|have\s+been|had\s+been)\s+"
    r"(?:\w+\s+)?(?P<w7>killed|hurt|injured|wounded|harmed|shot)\b"
    r"|\b(?:no\s+one|no-one|nobody)\s+else\s+(?:was|were|got)\s+(?P<w8>shot)\b"
    r"|\b(?:no|without|zero)\s+(?:(?:human|civilian|other|further|additional)\s+)?"
    r"(?P<w4>casualties|deaths|fatalities|injuries|victims)\b"
    # one person unhurt: "his wife escaped unharmed", "the driver was not hurt" (not "not seriously hurt")
    r"|\b(?:escaped|was|were|is|are|remained|walked\s+away)\s+(?:physically\s+)?"
    r"(?P<w5>unharmed|unhurt|uninjured|unscathed|unwounded)\b"
    r"|\b(?:was|were|is|are)\s*(?:not|n't)\s+(?P<w6>hurt|injured|wounded|harmed)\b",
    re.IGNORECASE)
_ELSE = re.compile(r"\b(?:else|other|others|further|additional)\b", re.IGNORECASE)


@dataclass
class _Vague:
    words: tuple[str, ...]
    low: int
    value: int
    high: int
    qualifier: Qualifier
    number: bool = True  # False: the phrase names no number ("several")


@cache
def _vague_table() -> dict[str, list[_Vague]]:
    """`codebook/quantities.yaml` by first word, longest phrases first."""
    rows = [_Vague(tuple(r["phrase"].split()), r["low"], r["value"], r["high"], r["qualifier"],
                   r.get("number", True)) for r in read_codebook_file("quantities.yaml")["vague"]]
    table: dict[str, list[_Vague]] = {}
    for row in sorted(rows, key=lambda r: -len(r.words)):
        table.setdefault(row.words[0], []).append(row)
    return table


@cache
def _start_words() -> frozenset[str]:
    """Words that can begin a quantity: anything else is skipped at once."""
    return (frozenset(_vague_table()) | {q[0] for q in _QUALIFIERS} | _NUMBER_WORDS
            | _SINGULAR_DETS | {"a", "an"})


@dataclass
class _Quantity:
    start: int          # first token (qualifier included)
    num: int            # first token of the number itself
    end: int            # token after the number
    value: int
    low: int
    high: int
    qualifier: Qualifier
    explicit: bool      # qualifier written in the text
    singular: bool = False
    np_end: int = 0     # token after the noun phrase the number counts
    head: Token | None = None
    kind: FigureKind | None = None
    trigger: tuple[int, int] | None = None
    linked_after: bool = False  # kind from a trigger after the noun phrase
    subset: bool = False
    named: bool = False         # a person's name ("Erica Robinson"): one person
    shot: bool = False          # people shot: killed and wounded together (scope SHOT)
    perpetrators: bool | None = None  # None: decided by the head noun
    scope: str | None = None
    total: bool = False         # the sum of coordinated counts ("a man, two women and a child")
    implied: bool = False       # no count written: "a fatal shooting" implies one dead
    parts_adult: bool = False   # a total with a part that is no child nor a name ("one man and two children")
    vague: bool = False         # a word that names no number ("several people"): never a toll


def _is_age_noun(s: "_Sentence", j: int) -> bool:
    """ "a 17-year-old", "the 16 year old": an age used as a noun for a person (nothing follows)."""
    if not (0 <= j < s.n) or s.low[j] not in ("old", "olds", "o", "y.o", "y.o.", "yo"):
        return False
    nxt = s.toks[j + 1] if j + 1 < s.n else None
    if nxt is not None and (nxt.pos_ in ("NOUN", "PROPN") or nxt.text == "-") and not nxt.ent_type_ \
            and nxt.lower_ not in _AFTER and nxt.lower_ not in ("shot", "dies"):
        return False
    k = j - 1
    while k >= 0 and (s.low[k] == "-" or s.low[k] in _AGE_UNITS):
        k -= 1
    return k < j - 1 and k >= 0 and s.toks[k].like_num


def _demonym(tok: Token) -> bool:
    """A nationality standing for a person ("an Afghan", "two Iraqis"), not its adjective ("Afghan troops")."""
    return tok.ent_type_ == "NORP" and tok.pos_ in ("NOUN", "PROPN") and tok.dep_ not in ("amod", "compound")


def _noun_in(tok: Token | None, words: frozenset[str]) -> bool:
    """Whether a noun, singular or plural, is in a word list."""
    return tok is not None and (tok.lemma_.lower() in words or tok.lower_ in words
                                or tok.lower_.removesuffix("s") in words)


class _Sentence:
    """Token views of one sentence, indexed from 0.

    Rules look ahead and behind by a few tokens, so an index may fall outside the sentence (a text that
    ends right after "killed and"). Read tokens through `word`, `tok` and `pos`, which answer "" or None
    there: a raw `low[i]` raises past the end and, worse, `toks[-1]` silently reads the sentence's last
    token for "the one before the first"."""

    def __init__(self, sent: Span) -> None:
        self.toks = list(sent)
        self.doc = sent.doc
        self.offset = sent.start
        self.low = [t.lower_ for t in self.toks]
        self.n = len(self.toks)

    def word(self, i: int) -> str:
        return self.low[i] if 0 <= i < self.n else ""

    def tok(self, i: int) -> Token | None:
        return self.toks[i] if 0 <= i < self.n else None

    def is_person(self, tok: Token | None) -> bool:
        return _noun_in(tok, PERSON_NOUNS) or (tok is not None and tok.doc is self.doc and (
            _is_age_noun(self, tok.i - self.offset) or _demonym(tok)))

    # --- numbers -------------------------------------------------------------------------

    def number_at(self, i: int) -> tuple[int, int, bool] | None:
        """(value, end, approximate) of a number starting at token i."""
        w = self.word(i)
        if _DIGITS.match(w) or (_DECIMAL.match(w) and self.word(i + 1) in _SCALES):
            value, j = float(w.replace(",", "")), i + 1
            if self.word(j) in _SCALES:
                value, j = value * _SCALES[self.word(j)], j + 1
            return int(value), j, False
        total = current = 0
        j, seen, approx = i, False, False
        if w in ("a", "an") and self.word(i + 1) in _SCALES:
            current, j = 1, i + 1
        while j < self.n:
            w = self.low[j]
            if w in _UNITS or w in _TENS:
                current += _UNITS.get(w, 0) + _TENS.get(w, 0)
            elif w == "hundred":
                current = max(current, 1) * 100
            elif w in _SCALES:
                total, current = total + max(current, 1) * _SCALES[w], 0
            elif w == "dozen" and current:
                current, approx = current * 12, True
            elif (w in ("-", "and") and seen and self.word(j + 1) in _NUMBER_WORDS
                  and (w == "-" or self.word(j - 1) in _SCALES)):
                j += 1
                continue
            else:
                break
            seen, j = True, j + 1
        if not seen:
            return None
        return total + current, j, approx

    def vague_at(self, i: int) -> tuple[_Vague, int] | None:
        if self.word(i - 1) in ("too", "so", "how"):
            return None  # "too many young lives lost": a lament, not a count
        for row in _vague_table().get(self.word(i), ()):
            if tuple(self.low[i:i + len(row.words)]) == row.words:
                return row, i + len(row.words)
        return None

    def qualifier_at(self, i: int) -> tuple[Qualifier, int] | None:
        for size in (3, 2, 1):
            q = _QUALIFIERS.get(tuple(self.low[i:i + size]))
            if q and i + size <= self.n:
                return q, i + size
        return None

    def quantity_at(self, i: int) -> _Quantity | None:
        """A (qualified) number, range or vague phrase starting at token i."""
        qual = self.qualifier_at(i)
        starts = [(qual[1], qual[0])] if qual else []
        starts.append((i, None))
        for num, explicit in starts:
            found = self.number_at(num)
            if found:
                value, end, approx = found
                q = _Quantity(i, num, end, value, value, value,
                              explicit or ("about" if approx else "exact"), explicit is not None)
                self.extend_range(q)
                return q
            vague = self.vague_at(num)
            if vague and not self.number_at(vague[1]):
                row, end = vague
                return _Quantity(i, num, end, row.value, row.low, row.high,
                                 explicit or row.qualifier, explicit is not None, vague=not row.number)
        return None

    def extend_range(self, q: _Quantity) -> None:
        """Turn "10 to 15", "10-15", "two or three", "between 10 and 15" into a range."""
        link = self.word(q.end)
        between = self.word(q.num - 1) == "between" and link == "and"
        if link in ("to", "-", "–", "or") or between:
            second = self.number_at(q.end + 1)
            if second and second[0] > q.value:
                q.high, q.end, q.qualifier = second[0], second[1], "range"
                if between:
                    q.start = min(q.start, q.num - 1)

    def singular_at(self, i: int) -> _Quantity | None:
        """ "a soldier", "the bomber", "his son", "the couple's 3-year-old son", "Jada's father",
        "a police officer's son", and a headline's bare subject ("Man fatally shot", "15-year-old girl
        killed"): one person."""
        first = self.tok(i)
        if first is None:
            return None
        possessive = first.pos_ in ("PROPN", "NOUN") and self.word(i + 1) in ("'s", "’s")
        headline = i == 0 and (first.pos_ in ("NOUN", "PROPN") or first.like_num)
        if self.word(i) not in _SINGULAR_DETS and not possessive and not headline:
            return None
        bare = headline and self.word(i) not in _SINGULAR_DETS and not possessive
        j, noun = (i if bare else i + 1), False
        while j < min(self.n, i + 9):
            tok = self.toks[j]
            if tok.pos_ == "ADJ" and noun and self.word(j - 1) != "-" and not (
                    tok.lower_ == "old" and self.word(j - 1) in _AGE_UNITS):  # "a three-year old child"
                break  # "found a girl dead": the adjective after the noun is not in the phrase
            if noun and (tok.lower_ in _SHOT_WORDS or tok.lower_ in _AFTER):
                break  # "4-month-old baby shot while ...": a headline's verb the parser took for a noun
            noun = noun or (tok.pos_ in ("NOUN", "PROPN") and tok.dep_ != "compound")  # "a Lodi 8th-grader"
            if tok.pos_ in ("ADJ", "NOUN", "PROPN") or tok.text == "-" or tok.tag_ == "POS" or (
                    tok.like_num and (self.word(j + 1) == "-" or self.word(j + 1) in _AGE_UNITS)) or (
                    tok.tag_ == "VBN" and tok.dep_ == "amod"):  # "a suspected thief"
                j += 1
                continue
            break
        if j == i + (not bare):
            return None
        head = self.toks[j - 1]
        ordinal = (j == i + 2 and self.word(i) in ("a", "another") and head.lower_ in _ORDINAL_PEOPLE
                   and head.dep_ in ("nsubj", "nsubjpass", "dobj") and self.word(j) != "of")
        if not ordinal and (not self.is_person(head) or (
                head.tag_ not in ("NN", "NNP") and not _is_age_noun(self, j - 1))):
            return None  # not "a third" standing for a person: "two were killed and a third was wounded"
        return _Quantity(i, i, i + 1, 1, 1, 1, "exact", False, singular=True,
                         np_end=j, head=head)

    def named_at(self, i: int) -> _Quantity | None:
        """A person's name ("Erica Robinson"): one person, when the parse makes it a victim."""
        tok = self.tok(i)
        if tok is None:
            return None
        if tok.ent_iob_ == "B" and tok.ent_type_ == "PERSON":
            j = i + 1
            while j < self.n and self.toks[j].ent_iob_ == "I":
                j += 1
        elif tok.pos_ == "PROPN" and tok.ent_type_ in ("", "ORG") and tok.is_title and (
                self.pos(i - 1) != "PROPN"):
            j = i + 1  # the small model leaves many names untagged or calls them ORG
            while j < self.n and (self.toks[j].pos_ == "PROPN" or self.toks[j].text == "-") and \
                    self.toks[j].ent_type_ == tok.ent_type_:
                j += 1
            if self.word(j - 1) == "-" or any(
                    self.word(k) in _NOT_NAMES or self.is_person(self.toks[k]) for k in range(i, j)):
                return None
        else:
            return None
        root = self.toks[j - 1]
        if root.dep_ in ("poss", "compound") or self.word(j) in ("'s", "’s"):
            return None
        return _Quantity(i, i, j, 1, 1, 1, "exact", False, singular=True, np_end=j, head=root,
                         named=True)

    # --- what a quantity counts ----------------------------------------------------------

    def is_count_of_things(self, q: _Quantity) -> bool:
        """Ages, dates, years, times, money, measures and counts of non-people."""
        before, after = self.word(q.num - 1), self.word(q.end)
        text = self.word(q.num)
        if before in _CURRENCY or before in _NON_COUNT_BEFORE or before.rstrip(".") in _MONTHS or (
                before in _NEGATIONS and not q.explicit):
            return True
        if after in _UNITS_AFTER or after in _MONTHS or (after == "per" and
                                                          self.word(q.end + 1) == "cent"):
            return True
        if after in ("-", "–") and q.qualifier != "range" and not q.singular:  # not "15-year-old girl"
            return True
        if after in _AGE_UNITS and self.word(q.end + 1) in ("-", "old"):
            return True
        if after in ("y.o", "y.o.", "yo", "yr", "yrs"):
            return True
        if q.num == 0 and not q.explicit:  # "on Sept. | 3 died": a day split off by the abbreviation
            first = self.toks[0]
            prev = first.doc[first.i - 1] if first.i > 0 else None
            if prev is not None and prev.lower_.rstrip(".") in _MONTHS:
                return True
        k = q.num - 1
        if before in ("also", "both", "aged", "age", "ages"):
            k -= 1
        if (self.word(k) in (",", "(") and after.strip() in (",", ";", ")", ".", "of", "and", "")
                and not q.explicit and not q.singular and q.np_end <= q.end and q.value < 120
                and k >= 1 and (self.pos(k - 1) == "PROPN" or self.is_person(self.tok(k - 1))
                                or self.word(k - 1) in _STANDS_FOR_PERSON)):
            return True  # an age in apposition: "Erica Rodriguez, 21, of Bastrop", "..., both 35", "the other, 31,"
        if before == "of" and self.word(q.num - 2) in ("father", "mother", "dad", "mom", "parent",
                                                        "grandfather", "grandmother", "parents"):
            return True  # "father of 4"
        if re.fullmatch(r"(?:19|20)\d\d", text) and not self.is_person(q.head):
            return True
        return _noun_in(q.head, _NOT_PEOPLE)

    def noun_phrase(self, q: _Quantity) -> None:
        """Set the end and head noun of the noun phrase the quantity counts."""
        if q.singular:
            return
        j = end = q.end
        if self.word(j) == "of":
            if self.word(j + 1) in ("them", "whom", "us"):
                j = end = j + 2
            elif self.word(j + 1) in _OF_DETS or self.pos(j + 1) in ("NOUN", "ADJ"):
                j += 1 + (self.word(j + 1) in _OF_DETS)
        head = None
        while j < min(self.n, q.end + 7) and self.low[j] not in _AFTER and self.low[j] != "shot":
            tok = self.toks[j]
            if tok.pos_ in ("NOUN", "PROPN"):
                head, end = tok, j + 1
            elif not (tok.pos_ == "ADJ" or tok.text == "-" or tok.tag_ == "VBN" or (
                    tok.like_num and self.word(j + 1) in ("-", *_AGE_UNITS))):
                break  # (an age goes on: "two 17-year-old boys")
            j += 1
        q.np_end, q.head = end, head

    def pos(self, i: int) -> str:
        return self.toks[i].pos_ if 0 <= i < self.n else ""

    def trigger_after(self, q: _Quantity) -> None:
        """ "were killed", "dead", "remain missing", "lost their lives" after the noun phrase."""
        j, passive = q.np_end, False
        while j < min(self.n, q.np_end + 9):
            w, tok = self.word(j), self.toks[j]
            kind, width = self.after_trigger(j)
            if kind:
                if width == 1 and w not in _INTRANSITIVE and tok.dep_ != "amod" \
                        and not self.is_passive(j, q.np_end) and (self.has_object(j + 1) or _shares_object(tok)):
                    return  # "Kane shot and stabbed his uncle": the agent of both verbs
                if width > 1 and (w in ("fatally", "mortally", "gunned", *_SHOT_WORDS) or self.pos(j) == "VERB") \
                        and not self.is_passive(j, q.np_end) and self.has_object(j + width) \
                        and self.word(j + width - 1) not in ("lives", "life"):
                    return  # "a boy fatally shot himself", "he shot and killed his friend": the agent
                if (w in _NEEDS_PERSON and not self.is_person(q.head)) or in_crash(tok):
                    return
                if self.word(j + width) in ("or", "and") and self.after_trigger(
                        j + width + 1)[0] not in (None, kind):
                    return  # "100 dead or wounded": a count of both kinds
                q.kind, q.trigger, q.linked_after = kind, (j, j + width), True
                if w in _SHOT_WORDS and width == 1:  # "were shot": fatal if the parse says so
                    fatal = _death_signal(tok)
                    if fatal is not None:
                        q.kind, q.trigger = _KILLED, (j, max(j, fatal.i - self.offset) + 1)
                    else:
                        q.shot = self.word(j - 1) != "also" and not _survives(tok)
                return
            if w in _PASSIVE_AUX:
                passive = True
                if q.singular and w in ("are", "were"):
                    return
            elif w == "," and self.word(j + 1) in _PARENTHETICAL:
                j = next((k for k in range(j + 1, min(self.n, j + 10)) if self.word(k) == ","),
                         self.n)
            elif w == "," and self.word(j + 2) == "," and _DIGITS.match(self.word(j + 1)) \
                    and int(self.word(j + 1)) < 120:
                j += 2  # an age in apposition: "a woman, 19, was grazed"
            elif w in _NEGATIONS or tok.like_num or not (
                    w in _GAP_WORDS or w in _PP_PREPS or (w in _REPORTING and passive)
                    or (w == "found" and self.word(j + 1) in ("dead", "shot", "slain", "murdered", "stabbed"))
                    or tok.pos_ in ("DET", "ADJ", "NOUN", "PROPN", "ADV", "PART")):
                return
            j += 1

    def is_passive(self, j: int, stop: int) -> bool:
        """Whether the participle at j follows a form of "be" ("were (reportedly) killed")."""
        b = j - 1
        while b >= stop and self.pos(b) == "ADV":
            b -= 1
        return b >= stop and (self.word(b) in _PASSIVE_AUX or self.word(b) in _REPORTING)

    def after_trigger(self, j: int) -> tuple[FigureKind | None, int]:
        """The casualty kind of a trigger starting at token j and its width in tokens ((None, 0): none,
        also past the sentence's end)."""
        w = self.word(j)
        nxt = self.word(j + 1)
        if w in _AFTER:
            return _AFTER[w], 1
        if w == "lost" and nxt in ("their", "his", "her", "its") and self.word(j + 2) in (
                "lives", "life"):
            return _KILLED, 3
        if w in ("fatally", "mortally"):
            if nxt in ("shot", "wounded", "injured", "stabbed", "struck", "hit", "hurt"):
                return _KILLED, 2
            prev = self.tok(j - 1)
            if prev is not None and prev.like_num:  # "two were shot, one fatally"
                return _KILLED, 1
        if w in _SHOT_WORDS:
            if nxt in ("and", ",") and self.word(j + 2) in _AFTER:
                return _AFTER[self.word(j + 2)], 3  # "shot and killed", "shot and wounded"; "Man shot, killed"
            if nxt == "dead":
                return _KILLED, 2
            if nxt == "to" and self.word(j + 2) == "death":
                return _KILLED, 3
            return "injured", 1  # people shot (or stabbed): killed or wounded (see `trigger_after`)
        if self.word(j + 1) == "to" and self.word(j + 2) == "death" and self.pos(j) == "VERB":
            return _KILLED, 3
        if nxt == "dead" and self.pos(j) == "VERB" or w == "gunned" and nxt == "down":
            return _KILLED, 2
        if w in ("taken", "held", "kept") and nxt in ("hostage", "hostages", "captive"):
            return "kidnapped", 2
        if w == "unaccounted" and nxt == "for":
            return "missing", 2
        if w in ("passed", "passes", "pass") and nxt == "away":
            return _KILLED, 2
        return None, 0

    def has_object(self, j: int) -> bool:
        """Whether an active verb's direct object starts at token j."""
        tok = self.tok(j)
        if tok is None or tok.lower_ in _TEMPORAL:
            return False
        return tok.pos_ in ("DET", "PRON", "NUM", "NOUN", "PROPN", "ADJ") or tok.like_num or bool(
            self.qualifier_at(j))

    def trigger_before(self, q: _Quantity) -> None:
        """ "killing at least 12", "wounded dozens", "claimed the lives of 20"."""
        b = q.start - 1
        w = self.word(b)
        if w in _BEFORE and (w not in _NEEDS_PERSON or self.is_person(q.head)):
            q.kind, q.trigger = _BEFORE[w], (b, b + 1)
        elif w == "of" and b > 0 and self.toks[b - 1].lemma_.lower() in _KIND_NOUNS:  # b < n: before q
            q.kind, q.trigger = _KIND_NOUNS[self.toks[b - 1].lemma_.lower()], (b - 1, b + 1)

    def casualty_adjective(self, q: _Quantity) -> None:
        """ "nine wounded people", "two dead soldiers"; and "shot dead a guard" (the verb before "dead")."""
        for j in range(q.num + 1, min(q.np_end, self.n)):
            kind = _CASUALTY_ADJECTIVES.get(self.low[j])
            if kind and self.toks[j].pos_ in ("ADJ", "VERB") and self.toks[j].dep_ == "amod":
                q.kind, q.trigger = kind, (j, j + 1)
                return
        b = q.start - 1
        if self.word(b) in ("dead", "down") and self.word(b - 1) in ("shot", "gunned", "struck", "cut"):
            q.kind, q.trigger = _KILLED, (b - 1, b + 1)

    def toll_before(self, q: _Quantity) -> None:
        """ "the death toll rose to 20", "the number of wounded reached 40"."""
        for b in range(min(q.start, self.n) - 1, max(-1, q.start - 8), -1):
            w = self.low[b]
            if w == "toll":
                q.kind, q.trigger = _KILLED, (b, b + 1)
                return
            kind = _AFTER.get(w) or _KIND_NOUNS.get(self.toks[b].lemma_.lower())
            if kind and self.word(b - 1) == "of" and self.word(b - 2) == "number":
                q.kind, q.trigger = kind, (b - 2, b + 1)
                return
            if w not in _TOLL_LINK:
                return

    def subset_before(self, q: _Quantity) -> bool:
        b = q.start - 1
        return self.word(b) in _SUBSET_BEFORE or (self.word(b - 1), self.word(b)) in _SUBSET_PAIRS

    def kind_word_before(self, q: _Quantity) -> FigureKind | None:
        """The kind named before a subset cue: "among the dead were 4 children"."""
        for b in range(min(q.start, self.n) - 1, max(-1, q.start - 6), -1):
            kind = _AFTER.get(self.low[b]) or _KIND_NOUNS.get(self.toks[b].lemma_.lower())
            if kind:
                return kind
        return None


# --- the parse: what happened to a person (subject or object of a casualty verb) -----------

SHOT = "people shot (killed or wounded)"
"""Scope of a count of people shot or stabbed ("four people were shot", "three were stabbed"): the killed and
the wounded together; of one person, followed by the phrase that tells of them ("...: a 21-year-old woman").
Kind "injured"; `reconcile` uses it only when no figure counts the injured alone (minus the killed)."""
ONE_PERSON = "one person"
"""Scope prefix of a single victim ("a man was killed", "Erica Robinson was shot"): a part of the
toll, used by `reconcile` only when no figure counts the incident's dead or injured as a whole."""
ALL_DEAD = "all the dead"
"""Scope of a body count ("four people dead", "three found dead", "the bodies of three people"):
a toll of the incident that counts everyone who died, a perpetrator who killed himself included.
`reconcile` counts it as a toll, less the perpetrator's suicide when the report tells of one."""
SUICIDE = "perpetrator's suicide"
"""Scope of a perpetrator's death by his own hand ("then turned the gun on himself", "a
murder-suicide"): not counted in the incident's killed; inside any body count (`ALL_DEAD`)."""
PERP_IN_TOLL = "perpetrator, among the dead counted"
"""Scope of a perpetrator's death already inside the toll of its sentence ("three are dead in a
murder-suicide"): neither counted again nor a separate perpetrators row."""
OWN_HAND = "one person, by their own hand"
"""Scope of a death by one's own hand told without victims in its sentence ("the man later killed
himself"): one person like `ONE_PERSON`; `reconcile` takes it for the perpetrator's suicide when
other figures of the report count victims."""
ANOTHER_PERSON = "one more person"
"""Scope prefix of a single victim said to be another one ("her father was also shot", "another
child was hospitalized"): not the person already counted among the dead."""
DIED_OF_WOUNDS = "among the wounded, died later"
"""Scope of deaths told as a part of people already counted as hurt ("Three men were wounded ... One of
them later died", "one of the victims died at the hospital"): a toll of the dead; `reconcile` takes them
out of the wounded counted before them when they are all the dead."""
NO_NUMBER = "no number given"
"""Scope of a count in words that name no number ("several people were wounded"): a claim row with the
smallest reading, never a toll (`reconcile` leaves it out)."""
NOBODY_ELSE = "nobody else"
"""Scope of a 0 said of the people not counted already ("no other injuries were reported", "no one else
was hurt") or of one person ("his wife escaped unharmed", "the driver was not hurt"): 0 for the
incident only when no other figure of its kind counts anyone (`reconcile`)."""

_KILL_VERBS = frozenset("kill murder slay execute assassinate massacre slaughter behead lynch "
                        "strangle".split())
_DIE_VERBS = frozenset("die perish succumb".split())
_HURT_VERBS = frozenset("wound injure hurt maim hospitalize hospitalise graze".split())
HARM_VERBS = _KILL_VERBS | (_HURT_VERBS - {"hospitalize", "hospitalise"})  # harm someone does to someone
_SHOOT_VERBS = frozenset(["shoot", "stab"])  # killed or wounded, as the rest of the sentence says
_FOUND_VERBS = frozenset("find pronounce declare discover leave confirm report list".split())
_STATE_VERBS = frozenset("be remain stay lie list hospitalize hospitalise recover".split())
_CARRY_VERBS = frozenset("take rush transport airlift fly carry drive send admit transfer "
                         "hospitalize hospitalise".split())
_CONDITIONS = frozenset("critical serious stable grave fair satisfactory guarded good".split())
_MEDICAL = frozenset("hospital hospitals center centre clinic trauma medical emergency er".split())
_WOUND_NOUNS = frozenset("wound wounds injury injuries".split())
_SURVIVED_ACTS = _SHOOT_VERBS | _HURT_VERBS  # "survived being shot"
_SURVIVED_HARMS = _WOUND_NOUNS | {"shooting", "attack", "gunshot"}  # "survived gunshot wounds"
_DEATH_NOUNS = frozenset("death deaths murder murders killing killings slaying slayings homicide "
                         "homicides execution assassination".split())
_CRASHES = frozenset("crash collision wreck".split())
# what makes a crash an attack: "shot down", "a bomb on board"
_CRASH_CAUSES = frozenset("shoot down bomb explosion explode missile rocket attack sabotage hijack fire".split())
_HIT_VERBS = frozenset(["hit", "strike"])  # a person hit by gunfire: killed or wounded, as "shot"
_GUNFIRE = frozenset("""bullet round shot gunshot gunfire fire crossfire pellet birdshot buckshot shrapnel fragment
spray barrage volley hail""".split())
_SHOT_WORDS = ("shot", "stabbed")  # "were shot", "were stabbed": the people harmed, killed or wounded
_MULTIPLES = {"double": 2, "triple": 3, "quadruple": 4, "quintuple": 5}
_REFLEXIVE = frozenset("himself herself themselves".split())


def in_crash(verb: Token) -> bool:
    """ "an uncle died in a car crash on the way", "the plane crashed and the four on board were killed": a
    death, but not by the violence reported (unless the sentence says what brought the crash about)."""
    lemma = verb.lemma_.lower()
    if lemma in _DIE_VERBS and any(
            c.dep_ == "prep" and any(g.lemma_.lower() in _CRASHES for g in c.children) for c in verb.children):
        return True
    passive = lemma in _KILL_VERBS and not any(c.dep_ in ("nsubj", "agent") for c in verb.children)
    if not (lemma in _DIE_VERBS or passive):
        return False
    sent = verb.sent
    return any(t.lemma_.lower() in _CRASHES for t in sent) and not any(t.lemma_.lower() in _CRASH_CAUSES for t in sent)


def _death_signal(verb: Token, depth: int = 0) -> Token | None:
    """The token that makes a shooting or wounding fatal: "fatally", "shot dead", "shot to death",
    "shot and killed", "rushed to hospital but did not survive", "shot ... and died"."""
    own_object = any(c.dep_ == "dobj" for c in verb.children)
    for c in verb.children:
        w = c.lower_
        if c.dep_ == "advmod" and w in ("fatally", "mortally"):
            return c
        if c.dep_ in ("oprd", "acomp", "advmod", "xcomp", "attr", "dobj") and w == "dead":
            return c
        if c.dep_ == "prep" and w == "to" and any(g.lower_ == "death" for g in c.children):
            return c
        if c.dep_ == "advcl" and c.lemma_.lower() in _KILL_VERBS and any(
                g.dep_ == "dobj" and g.lower_ in ("him", "her", "them") for g in c.children):
            return c  # "shot him in the back, killing him"
        if c.dep_ in ("prep", "advcl", "relcl") and depth < 2:
            for v in c.subtree:  # "taken to a hospital, where he died", "to hospitals in X where they died"
                if v.dep_ in ("relcl", "advcl") and _dies(v):
                    return v
        if c.dep_ == "conj" and depth < 2 and not any(  # not "wounded his brother and killed himself"
                g.dep_ in ("nsubj", "nsubjpass") or (g.dep_ == "dobj" and (g.lower_ in _REFLEXIVE or own_object))
                for g in c.children):  # nor "wounding two bosses and killing a receptionist": another person
            lemma = c.lemma_.lower()
            if lemma in _KILL_VERBS or lemma in _DIE_VERBS or (
                    lemma == "survive" and _negated(c)):
                return c
            found = _death_signal(c, depth + 1)
            if found is not None:
                return found
    return None


def _instruments(verb: Token) -> list[Token]:
    """What struck: the nouns after "by" or "with" on the verb, or after "by" on a verb coordinated with it
    ("struck by a stray bullet", "hit with birdshot", "struck and killed by an oncoming vehicle"; not "taken
    to hospital with wounds")."""
    found = []
    for v in (verb, *verb.conjuncts):
        for c in v.children:
            if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ in (("by", "with") if v is verb else ("by",))):
                found.extend(g for g in c.children if g.dep_ == "pobj")
    return found


def _gunfire(noun: Token) -> bool:
    return noun.lemma_.lower() in _GUNFIRE or any(
        c.dep_ in ("compound", "amod") and c.lemma_.lower() in _GUNFIRE for c in noun.children)


def _hit_by_gunfire(verb: Token, role: str) -> bool:
    """ "Hit" or "struck" said of a person in a shooting: "was hit in the leg", "were struck by gunfire",
    "was hit seven times", "five people were hit", "a stray bullet struck a girl" (not "struck by a car",
    "hit with a bat": what struck is named, and it is not gunfire)."""
    if role == "obj":
        subject = _subject(verb)
        return subject is not None and _gunfire(subject)
    return role == "pass" and all(_gunfire(noun) for noun in _instruments(verb))


def is_shot(scope: str | None) -> bool:
    """Whether a figure's scope is `SHOT`: people shot, or one person shot."""
    return scope is not None and (scope == SHOT or scope.startswith(f"{SHOT}:"))


def _negated(verb: Token) -> bool:
    return any(c.dep_ == "neg" for c in verb.children)


def _survives(verb: Token) -> bool:
    """A verb of shooting coordinated with the person's survival: "was shot but survived", "was shot and is
    in stable condition", "shot and expected to recover" (the same subject: the people shot are wounded)."""
    for c in verb.children:
        if c.dep_ != "conj" or any(g.dep_ in ("nsubj", "nsubjpass") and g.pos_ != "PRON" for g in c.children):
            continue
        lemma = c.lemma_.lower()
        if lemma in ("survive", "recover") and not _negated(c):
            return True
        if lemma in _STATE_VERBS and _in_condition(c) is not None:
            return True
        if lemma == "expect" and any(g.dep_ == "xcomp" and g.lemma_.lower() in ("survive", "recover", "live")
                                     for g in c.children):
            return True
    return False


def _dies(verb: Token) -> bool:
    """A clause of dying whose subject is a pronoun ("where he died", "where she was pronounced dead")."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if subjects and not all(c.pos_ == "PRON" for c in subjects):
        return False
    lemma = verb.lemma_.lower()
    return lemma in _DIE_VERBS or (lemma in _FOUND_VERBS and any(
        c.lower_ == "dead" for c in verb.children)) or (lemma == "survive" and _negated(verb))


def _to_medical(verb: Token) -> bool:
    """ "taken to the hospital", "airlifted to a trauma center"."""
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ in ("to", "at", "in"):
            for obj in prep.children:
                if obj.dep_ == "pobj" and (obj.lower_ in _MEDICAL or obj.lemma_.lower() in _MEDICAL or any(
                        c.lower_ in _MEDICAL for c in obj.children if c.dep_ == "compound")):
                    return True
    return False


def _in_condition(verb: Token) -> Token | None:
    """ "in critical condition", "in stable condition at St. Louis Children's Hospital"."""
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ == "in":
            for obj in prep.children:
                if obj.lemma_.lower() == "condition" and any(
                        c.lower_ in _CONDITIONS for c in obj.children):
                    return obj
    return None


def _shares_object(verb: Token) -> bool:
    """An active verb whose object comes after a coordinated verb: "shot and stabbed his uncle"."""
    return verb.pos_ == "VERB" and any(
        c.dep_ == "conj" and c.pos_ == "VERB" and any(g.dep_ == "dobj" for g in c.children)
        for c in verb.children)


def _verb_kind(verb: Token, role: str) -> tuple[FigureKind, bool, Token] | None:
    """(kind, shot, trigger token) of what `verb` says happened to its subject ("subj"), passive
    subject ("pass") or object ("obj"); None when it says no casualty (or the person is the agent)."""
    lemma = verb.lemma_.lower()
    if _negated(verb) and lemma not in ("survive", "make"):
        return None
    fatal = _death_signal(verb)
    if in_crash(verb):
        return None
    if role in ("pass", "obj"):
        if lemma in _KILL_VERBS or (lemma == "gun" and any(c.lower_ == "down" for c in verb.children)):
            return "killed", False, verb
        if lemma in _SHOOT_VERBS or (lemma in _HIT_VERBS and _hit_by_gunfire(verb, role)):
            if fatal is not None:
                return "killed", False, fatal
            also = any(c.dep_ == "advmod" and c.lower_ == "also" for c in verb.children)
            return "injured", not also and not _survives(verb), verb
        if lemma in _HURT_VERBS:
            return ("killed", False, fatal) if fatal is not None else ("injured", False, verb)
    if role in ("pass", "obj") and lemma in _CARRY_VERBS and (_to_medical(verb) or (
            role == "obj" and lemma == "send")):
        if fatal is not None:
            return "killed", False, fatal
        return "injured", True, verb  # taken to hospital: wounded, or dying there
    if role == "subj" and lemma == "survive" and fatal is None and not _negated(verb):
        # "survived being shot", "survived gunshot wounds": wounded
        for c in verb.children:
            if (c.dep_ == "xcomp" and c.lemma_.lower() in _SURVIVED_ACTS) or (
                    c.dep_ == "dobj" and c.lemma_.lower() in _SURVIVED_HARMS):
                return "injured", False, c
    if role == "obj" and lemma in ("find", "leave") and fatal is not None:
        return "killed", False, fatal  # "found a 16-year-old girl dead", "left a six-year-old dead"
    if role == "obj" and lemma == "leave" and (condition := _in_condition(verb)) is not None:
        return "injured", False, condition  # "leaving the teen in critical condition"
    if role in ("pass", "subj") and lemma in _STATE_VERBS:
        condition = _in_condition(verb)
        if condition is not None and fatal is None:
            return "injured", False, condition
    if role == "pass":
        if lemma in _FOUND_VERBS and fatal is not None:
            return "killed", False, fatal
        if lemma == "treat" and (any(c.dep_ == "prep" and c.lower_ == "for" for c in verb.children)
                                 or _to_medical(verb)):
            return "injured", False, verb  # "treated for burns", "are treated in nearby hospitals"
    if role == "subj":
        if lemma in _DIE_VERBS:
            return "killed", False, verb
        if lemma == "survive" and _negated(verb):
            return "killed", False, verb
        if lemma == "lose" and any(c.dep_ == "dobj" and c.lemma_.lower() == "life" for c in verb.children):
            return "killed", False, verb
        if lemma == "pass" and any(c.lower_ == "away" for c in verb.children):
            return "killed", False, verb
        if lemma == "make" and _negated(verb) and any(
                c.dep_ == "dobj" and c.lower_ == "it" for c in verb.children):
            return "killed", False, verb  # "didn't make it"
        if lemma in _STATE_VERBS:
            if fatal is not None:
                return "killed", False, fatal
            condition = _in_condition(verb)
            if condition is not None:
                return "injured", False, condition
            if lemma == "recover":
                return "injured", False, verb
        if lemma in ("suffer", "sustain", "receive"):
            for c in verb.children:
                if c.dep_ == "dobj" and c.lower_ in _WOUND_NOUNS:
                    return _wound_kind(c, fatal)
    if role in ("subj", "pass") and (wound := _arrives_wounded(verb)) is not None:
        return _wound_kind(wound, fatal)
    return None


def _wound_kind(wound: Token, fatal: Token | None) -> tuple[FigureKind, bool, Token]:
    """What a person's wound says: killed ("a fatal wound", or the sentence says the person died), or wounded;
    a gunshot wound makes the person one of the people shot, whether or not they lived."""
    if fatal is not None or any(g.lower_ in ("fatal", "deadly", "mortal") for g in wound.children):
        return "killed", False, fatal if fatal is not None else wound
    return "injured", any(g.lower_ in ("gunshot", "bullet", "stab") for g in wound.children), wound


def _arrives_wounded(verb: Token) -> Token | None:
    """The wound a person comes with: "showed up at the hospital with gunshot wounds", "was found with a
    gunshot wound", "went to a hospital for treatment of a gunshot wound", "walked in suffering from a wound"
    (not when the verb has an object: "drove his friend to hospital with a gunshot wound")."""
    if any(c.dep_ == "dobj" and c.lower_ not in _REFLEXIVE for c in verb.children):
        return None
    places = [o for c in verb.children if c.dep_ == "prep" and c.lower_ in ("at", "to", "into")
              for o in c.children if o.dep_ == "pobj"]  # the parser hangs "with ..." on the hospital too
    for c in (*verb.children, *(c for o in places for c in o.children)):
        if c.dep_ == "prep" and c.lower_ == "with":
            objects = [g for g in c.children if g.dep_ == "pobj"]
        elif c.dep_ == "prep" and c.lower_ == "for":  # "for treatment of a gunshot wound"
            objects = [p for g in c.children if g.dep_ == "pobj" and g.lemma_.lower() == "treatment"
                       for o in g.children if o.dep_ == "prep" and o.lower_ in ("of", "for")
                       for p in o.children if p.dep_ == "pobj"]
        elif c.dep_ in ("advcl", "xcomp") and c.lemma_.lower() == "suffer":  # "suffering from a wound"
            objects = [g for o in c.children if o.dep_ == "prep" and o.lower_ == "from"
                       for g in o.children if g.dep_ == "pobj"]
        else:
            continue
        wound = next((o for o in objects if o.lower_ in _WOUND_NOUNS), None)
        if wound is not None:
            return wound
    return None


def _parse_link(s: _Sentence, q: _Quantity) -> None:
    """Rule 7: the parse links a person to a casualty predicate that the word order did not show:
    "A man, two women and a child were killed", "Melody Cerros was shot and killed",
    "the victim ... was found by officers and pronounced dead", "Jahad Brumsey remains in critical
    condition", "four people were shot" (people shot: killed and wounded together)."""
    tok = q.head
    if tok is None:
        if q.num >= s.n:
            return
        tok = s.toks[q.num]
    while tok.dep_ in ("conj", "appos") and tok.head.i != tok.i:
        tok = tok.head
    dep, verb = tok.dep_, tok.head
    role = None
    if dep == "nsubjpass" or (dep == "nsubj" and any(c.dep_ == "auxpass" for c in verb.children)) or (
            dep == "nsubj" and verb.tag_ == "VBN" and verb.dep_ == "conj"
            and any(c.dep_ == "auxpass" for c in verb.head.children)):
        role = "pass"  # "... were killed and another (was) critically injured"
    elif dep == "nsubj":
        role = "subj"
    elif dep == "dobj":
        role = "obj"
    elif dep == "pobj" and verb.lower_ == "of" and (verb.head.lemma_.lower() in _DEATH_NOUNS | {"body"}
                                                    or _fatal_noun(verb.head)):
        noun = verb.head  # "the shooting death of Devin Anderson", "the murders of a woman and ..."
        q.kind, q.trigger = "killed", (noun.i - s.offset, noun.i - s.offset + 1)
        return
    if role is not None and any(c.dep_ == "cc" and c.lower_ == "or" for c in verb.children):
        return  # "killed or disappeared": a count of two kinds together
    found = _verb_kind(verb, role) if role is not None else None
    if found is None:  # "striking a cyclist, who died at the scene"
        verb, found = _relative_clause_kind(tok)
    if found is None:
        return
    kind, shot, trigger = found
    lo, hi = sorted((verb.i - s.offset, trigger.i - s.offset))
    q.kind, q.trigger, q.shot = kind, (lo, hi + 1), shot


def _relative_clause_kind(tok: Token) -> tuple[Token, tuple[FigureKind, bool, Token] | None]:
    """What a relative clause on `tok` says happened to it: "a cyclist, who died at the scene",
    "a boy who police say was shot and killed" (the clause's verb and `_verb_kind`'s answer)."""
    for rel in tok.children:
        if rel.dep_ != "relcl":
            continue
        for verb in (rel, *(c for c in rel.children if c.dep_ == "ccomp")):
            pronouns = ("WP", "WDT") if verb is rel else ("WP",)  # not "said that (he) had been shot"
            subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")
                         and c.tag_ in pronouns), None)
            if subj is not None:
                passive = subj.dep_ == "nsubjpass" or any(c.dep_ == "auxpass" for c in verb.children)
                return verb, _verb_kind(verb, "pass" if passive else "subj")
    return tok, None


def _total(parts: list[_Quantity], kind: FigureKind, *, shot: bool, extra: int = 0, **fields) -> _Quantity:
    """The sum of counts that together make one toll (plus `extra` people named without a count): its
    span runs from the first part to the last, its trigger over theirs, its qualifier the first that is
    not exact."""
    first = min(parts, key=lambda p: p.start)
    end = max(max(p.end, p.np_end) for p in parts)
    triggers = [p.trigger for p in parts if p.trigger]
    return _Quantity(
        first.start, first.num, end, sum(p.value for p in parts) + extra, sum(p.low for p in parts) + extra,
        sum(p.high for p in parts) + extra, next((p.qualifier for p in parts if p.qualifier != "exact"), "exact"),
        any(p.explicit for p in parts), np_end=end, kind=kind,
        trigger=(min(t[0] for t in triggers), max(t[1] for t in triggers)) if triggers else None,
        shot=shot, total=True, **fields)


def _coordination(s: _Sentence, qs: list[_Quantity]) -> list[_Quantity]:
    """Totals of coordinated counts of one kind: "a man, two women and a small child were killed"
    is 4 killed (the parts are kept as subsets); "a mother, father and toddler" counts the bare
    person nouns as one each. A plural noun without a number ("and children") leaves the total
    unknown; "another 48" is an addition elsewhere, not a part."""
    by_head = {q.head.i: q for q in qs if q.head is not None}
    for q in qs:
        if q.head is None and q.num < s.n:
            by_head.setdefault(s.toks[q.num].i, q)
    seen: set[int] = set()
    totals: list[_Quantity] = []
    for q in qs:
        if q.head is None or q.kind is None or q.subset or q.head.i in seen:
            continue
        root = q.head
        while root.head.i != root.i and (root.dep_ == "conj" or (
                _listing_apposition(root) and root.head.i in by_head and root.head.tag_ == "NNS")):
            root = root.head  # "eight women, a girl and four men injured": the count the list is apposed to
        stack = [root]
        if root.dep_ in ("nsubj", "nsubjpass", "dobj"):  # a list the parser read as several subjects
            stack += [c for c in root.head.children if c.dep_ == root.dep_ and c.i > root.i and any(
                t.lower_ in (",", "and") for t in root.doc[root.i + 1:c.left_edge.i])]
        members: list[Token] = []
        apposed: set[int] = set()  # members in apposition to the root, and their conjuncts
        while stack:
            tok = stack.pop()
            members.append(tok)
            for c in tok.children:
                if c.dep_ == "conj" or _listing_apposition(c):  # "a mother, father, and toddler"
                    stack.append(c)
                    if c.dep_ == "appos" or tok.i in apposed:
                        apposed.add(c.i)
        if len(members) < 2:
            continue
        seen.update(m.i for m in members)
        parts: list[_Quantity] = []
        extra, unknown, in_apposition = 0, False, 0
        covered, before = 0, None  # names that the member before them already counts (see `_apposed`)
        for m in sorted(members, key=lambda t: t.i):
            part = by_head.get(m.i)
            if _apposed(m, before, covered):
                covered = max(0, covered - 1)
                continue
            before = m
            covered = part.value if part is not None and m.tag_ == "NNS" and part.value >= 2 else 0
            if part is not None:
                if part.subset or part.vague or s.word(part.start - 1) in _INHERIT_BEFORE:
                    unknown = True
                if parts and part.qualifier == "up to":  # "at least 12 people, and up to 20": one count's range
                    unknown = True
                parts.append(part)
                in_apposition += part.value if m.i in apposed else 0
            elif m.lower_ in _REFLEXIVE:
                continue  # the perpetrator: a row of its own
            elif m.ent_type_ == "PERSON" or (m.tag_ in ("NN", "NNP") and _noun_in(m, PERSON_NOUNS)):
                extra += 1
                in_apposition += m.i in apposed
            elif m.tag_ == "NNS" and _noun_in(m, PERSON_NOUNS):
                unknown = True
        head = by_head.get(root.i)
        if apposed and head is not None and _restated(root, head.value, in_apposition):
            for p in parts:  # "two victims, a man and a woman": the two again, one by one
                if p is not head:
                    p.kind, p.subset = head.kind or p.kind, True
            continue
        kinds = {p.kind for p in parts if p.kind}
        if unknown or len(kinds) != 1 or len(parts) + extra < 2:
            continue
        kind = kinds.pop()
        if sum(p.value for p in parts) + extra != 2 and _says_both(root):
            continue  # "A and B were both found dead": two, whatever else the parse attached to the list
        total = _total(parts, kind, shot=any(p.shot for p in parts), extra=extra, head=root,
                       parts_adult=any(p.head is not None and not p.named and p.head.pos_ != "PROPN"
                                       and not _noun_in(p.head, _VICTIM_NOUNS) for p in parts))
        if any(p.perpetrators or _noun_in(p.head, _PERPETRATORS) for p in parts):
            continue
        for p in parts:
            p.kind, p.subset = kind, True
        totals.append(total)
    return totals


# Nouns that count people of any kind: what follows them in apposition restates them ("three people, a man and
# two women"), where a noun of one kind of people is followed by others ("eight women, a girl and four men")
_ANYONE = frozenset("people persons victims individuals others casualties".split())


def _listing_apposition(tok: Token) -> bool:
    """An apposition that heads a list ("X, a girl and four men"): a restatement of X or more of the list."""
    return tok.dep_ == "appos" and any(c.dep_ == "conj" for c in tok.children)


def _restated(head: Token, count: int, in_apposition: int) -> bool:
    """Whether people listed in apposition to a count are those counted again ("two victims, a man and a
    woman"; "three people, a man and two women") rather than more of a list ("eight women, a girl and four
    men"): the count is of people of any kind, or the listed add up to it."""
    return head.tag_ == "NNS" and (head.lower_ in _ANYONE or count == in_apposition)


def _says_both(subject: Token) -> bool:
    """ "A and B were both killed", "both A and B were killed"."""
    return any(c.lower_ == "both" for c in subject.head.children) or any(
        c.lower_ == "both" and c.dep_ == "preconj" for c in subject.children)


_CLAUSE_LINKS = frozenset("acomp oprd prep pobj amod advmod xcomp attr".split())


def _apposed(m: Token, before: Token | None, covered: int) -> bool:
    """A name that restates the person or people listed right before it: "his wife, Shawna Smith",
    "their two children, Tylee and Blake" (`covered`: names the count before still covers)."""
    if before is None or not (m.ent_type_ == "PERSON" or m.pos_ == "PROPN"):
        return False
    if covered:
        return True
    between = [t.text for t in m.doc[before.i + 1:m.left_edge.i]]
    return between == [","] and before.tag_ == "NN" and _noun_in(before, PERSON_NOUNS)


def _clause_head(tok: Token) -> Token:
    while tok.dep_ in _CLAUSE_LINKS and tok.head.i != tok.i:
        tok = tok.head
    return tok


def _clause_sums(s: _Sentence, qs: list[_Quantity]) -> list[_Quantity]:
    """Totals of one kind over coordinated clauses: "one person is listed in critical condition and
    four are being treated for other injuries" is 5 injured (the parts kept as subsets). Counts
    that inherit their verb ("another 48 in Tartus") are never summed here."""
    cands = [q for q in qs if q.kind in ("killed", "injured") and not q.subset and not q.vague and q.trigger
             and not q.perpetrators and not _noun_in(q.head, _PERPETRATORS)
             and not (q.head is not None and q.head.pos_ == "PRON")]  # "rushed him ... and he was taken"
    cands = [q for q in cands if s.tok(q.trigger[0]) is not None]
    heads = {id(q): _clause_head(s.toks[q.trigger[0]]) for q in cands}
    totals: list[_Quantity] = []
    used: set[int] = set()
    for q in cands:
        if id(q) in used:
            continue
        group = [q]
        for r in cands:
            h, g = heads[id(r)], heads[id(group[-1])]
            if r is q or id(r) in used or r.kind != q.kind or h.i == g.i:
                continue
            if (h.dep_ == "conj" and h.head.i == g.i) or (g.dep_ == "conj" and g.head.i == h.i):
                if not any(c.dep_ == "cc" and c.lower_ in ("or", "but") for c in (*h.children, *g.children)):
                    group.append(r)
        if len(group) < 2:
            continue
        used.update(id(r) for r in group)
        total = _total(group, q.kind, shot=all(r.shot for r in group), perpetrators=False)
        for r in group:
            r.subset = True
        totals.append(total)
    return totals


_ADDITION = (("in", "addition", "to"), ("besides",), ("along", "with"), ("as", "well", "as"))


def _additions(s: _Sentence, qs: list[_Quantity]) -> list[_Quantity]:
    """ "two dead men in the truck in addition to a dead woman": 3 killed (the parts kept as subsets)."""
    totals: list[_Quantity] = []
    counted = sorted((q for q in qs if q.kind in ("killed", "injured") and not q.subset and not q.total
                      and not q.vague
                      and not q.perpetrators), key=lambda q: q.start)
    for q, r in zip(counted, counted[1:], strict=False):
        gap = tuple(s.low[max(q.end, q.np_end):r.start])
        if r.kind != q.kind or q.subset or not any(gap[len(gap) - len(a):] == a for a in _ADDITION):
            continue
        totals.append(_total([q, r], q.kind, shot=q.shot and r.shot, perpetrators=False, parts_adult=True))
        q.subset = r.subset = True
    return totals


def _special(s: _Sentence, qs: list[_Quantity]) -> list[_Quantity]:
    """Casualties named without a number: "double homicide" (2 killed), "triple shooting" (3 shot),
    a "murder-suicide" (the perpetrator killed), and reflexives: "turned the gun on himself",
    "killed his wife and himself", "took her own life" (killed), "shot himself" (shot, unless
    fatal). A reflexive is the perpetrator's death when the sentence also harms others (or says
    murder-suicide); otherwise it is one victim of their own hand."""
    out: list[_Quantity] = []
    tolls = [q for q in qs if q.kind == "killed" and not q.subset and not q.singular and q.value >= 2]
    # "2 students killed in a murder-suicide": the toll counts the one who killed himself (a body
    # count does too, but `reconcile` takes the suicide out of it); not "killed his two children",
    # nor "four children killed" (the children alone)
    toll = bool(tolls) and not any(_body_count(s, q) for q in tolls) and all(
        not _noun_in(q.head, _VICTIM_NOUNS) and not q.total
        and not (q.trigger and q.trigger[1] <= q.start) for q in tolls)
    murder_suicide = any(s.low[i] == "suicide" and s.word(i - 1) in ("murder", "-") and (
        s.word(i - 1) == "murder" or s.word(i - 2) == "murder") for i in range(s.n))
    for i, tok in enumerate(s.toks):
        w = s.low[i]
        if w in _MULTIPLES and i + 1 < s.n:
            noun = s.toks[i + 1]
            lemma = noun.lemma_.lower()
            if lemma in ("homicide", "murder", "killing", "slaying", "shooting") or (
                    s.word(i + 1) == "-" and s.word(i + 2) in ("homicide", "murder")):
                q = _Quantity(i, i, i + 1, _MULTIPLES[w], _MULTIPLES[w], _MULTIPLES[w], "exact", False,
                              np_end=i + 2, kind="killed" if lemma != "shooting" else "injured",
                              trigger=(i, i + 2), shot=lemma == "shooting")
                out.append(q)
        elif w == "suicide" and murder_suicide and s.word(i - 1) in ("murder", "-"):
            start = i - 1 if s.word(i - 1) == "murder" else i - 2
            # "three are dead in a murder-suicide": the suicide is among the dead of the toll
            out.append(_Quantity(start, start, i + 1, 1, 1, 1, "exact", False, np_end=i + 1,
                                 kind="killed", trigger=(start, i + 1), perpetrators=False,
                                 scope=PERP_IN_TOLL if toll else SUICIDE))
            # and at least one victim: one person's worth when nothing else counts them
            out.append(_Quantity(start, start, i + 1, 1, 1, 1, "at least", False, singular=True,
                                 np_end=i + 1, kind="killed", trigger=(start, i + 1), implied=True))
            murder_suicide = False  # once per sentence
        elif w == "suicide" and s.toks[i].head.lemma_.lower() == "commit":
            verb = s.toks[i].head  # "the father committed suicide"
            others = any(q.kind == "killed" and not q.subset for q in qs) or _harms_others(verb)
            lo = min(verb.i - s.offset, i)
            out.append(_Quantity(lo, lo, i + 1, 1, 1, 1, "exact", False, singular=True, np_end=i + 1,
                                 kind="killed", trigger=(lo, i + 1), perpetrators=False,
                                 scope=SUICIDE if others else None))
        elif w == "inflicted" and s.word(i - 1) == "-" and s.word(i - 2) == "self" and any(
                a.lemma_.lower() in ("die", "dead", "death") for a in tok.ancestors) and any(
                q.kind == "killed" and not q.subset and not q.singular for q in qs):
            # "both girls were shot dead, and their stepfather died of a self-inflicted wound" (a sum
            # of the clauses counts him already); not "he died of a self-inflicted wound after killing
            # A and B" (the sum is of the others)
            dier = _subject(next(a for a in tok.ancestors if a.lemma_.lower() in ("die", "dead", "death")))
            summed = any(q.kind == "killed" and q.total and (dier is None or q.start <= dier.i - s.offset < q.end)
                         for q in qs)
            out.append(_Quantity(i - 2, i - 2, i + 1, 1, 1, 1, "exact", False, singular=True, np_end=i + 1,
                                 kind="killed", trigger=(i - 2, i + 1), perpetrators=False,
                                 scope=PERP_IN_TOLL if summed else SUICIDE))
        elif w in ("life",) and s.toks[i].dep_ == "dobj" and s.toks[i].head.lemma_.lower() == "claim":
            verb = s.toks[i].head  # "hunting accident claims life", "claimed the life of"
            if not any(c.dep_ == "prep" and c.lower_ == "of" for c in s.toks[i].children):
                lo = verb.i - s.offset
                out.append(_Quantity(lo, lo, i + 1, 1, 1, 1, "exact", False, singular=True,
                                     np_end=i + 1, kind="killed", trigger=(lo, i + 1)))
        elif _fatal_noun(tok):
            # "a fatal shooting": at least one dead, one person's worth when nothing else counts
            adj = next(c for c in tok.children if c.dep_ == "amod" and c.lower_ in ("fatal", "deadly"))
            lo = min(adj.i - s.offset, i)
            out.append(_Quantity(lo, lo, i + 1, 1, 1, 1, "at least", False, singular=True, np_end=i + 1,
                                 kind="killed", trigger=(lo, i + 1), implied=True))
        elif w in ("himself", "herself") or (w == "own" and s.word(i + 1) == "life"):
            found = _reflexive(s, tok)
            if found is None:
                continue
            kind, shot, trigger = found
            lo, hi = sorted((trigger.i - s.offset, i))
            others = murder_suicide or _harms_others(trigger) or _noun_in(_subject(trigger), _PERPETRATORS)
            if kind == "injured" and (murder_suicide or _harms_others(trigger, killing=True)):
                kind = "killed"  # "killed his two daughters before shooting himself": a suicide
            suicide = bool(others) and kind == "killed"
            out.append(_Quantity(i, i, i + 1, 1, 1, 1, "exact", False, singular=True, np_end=i + 1,
                                 kind=kind, trigger=(lo, hi + 1), shot=shot and not others,
                                 perpetrators=bool(others) and not suicide,
                                 scope=SUICIDE if suicide else OWN_HAND if kind == "killed" else None))
            if suicide and trigger.lemma_.lower() in _KILL_VERBS and any(
                    c.dep_ == "dobj" and c.i != tok.i for c in trigger.children):
                # "kills wife, then himself": at least the one he killed, one person's worth when nothing
                # else counts the victims (as of a murder-suicide)
                out.append(_Quantity(lo, lo, hi + 1, 1, 1, 1, "at least", False, singular=True, np_end=hi + 1,
                                     kind="killed", trigger=(lo, hi + 1), implied=True))
    return out


_ANOTHER = frozenset("another other second third fourth fifth sixth seventh eighth ninth tenth "
                     "2nd 3rd 4th 5th 6th".split())  # "a fifth man was wounded": not one of the dead
_KIN = frozenset("""father mother dad mom brother sister son daughter wife husband uncle aunt nephew
niece cousin grandfather grandmother grandson granddaughter stepfather stepmother girlfriend boyfriend
friend""".split())  # "her father is in critical condition": another person than the one who died
_BODY_WORDS = frozenset("dead died die dies body bodies deaths".split())
_VICTIM_NOUNS = frozenset("""child children kid kids son sons daughter daughters boy boys girl girls
baby babies toddler toddlers grandchild grandchildren victim victims infant infants""".split())


_PARTITIVE_HEADS = frozenset("them those the these both".split())


def _died_of_them(s: _Sentence, q: _Quantity) -> bool:
    """ "One of them later died", "one of the victims died at the hospital", "two of the wounded succumbed":
    a death told as a part of a group (the people hurt, told before), by a verb of dying."""
    def partitive(i: int) -> bool:
        return s.word(i) == "of" and s.word(i + 1) in _PARTITIVE_HEADS

    # the count itself ("One of them"), or the person in apposition to it ("One of the victims, a 20-year-old,")
    apposed = s.word(q.start - 1) == "," and any(partitive(k) and s.toks[k - 1].like_num
                                                 for k in range(max(1, q.start - 8), q.start - 1))
    if q.kind != "killed" or q.subset or q.trigger is None or not (partitive(q.end) or apposed):
        return False
    verbs = s.toks[q.trigger[0]:q.trigger[1]]
    return any(t.lemma_.lower() in _DIE_VERBS or (t.lower_ == "dead" and t.head.lemma_.lower() == "pronounce")
               for t in verbs)


def _body_count(s: _Sentence, q: _Quantity) -> bool:
    """ "four people dead", "three found dead", "the bodies of three people", "three people died":
    a count of everyone who died (not "killed N", nor "two children dead": the children alone)."""
    if q.kind != "killed" or q.singular or q.subset or q.value < 2:
        return False
    if q.head is not None and q.head.lower_ == "bodies":
        return True  # "three bodies were found"
    if q.trigger is None:
        return False
    words = {s.low[k] for k in range(max(0, q.trigger[0]), min(q.trigger[1], s.n))}
    if words & {"body", "bodies"}:
        return True  # "the bodies of Ann Lee, 40, and her son Sam, 6, were found"
    if not q.total and _noun_in(q.head, _VICTIM_NOUNS):
        return False
    if q.total and not q.parts_adult:
        return False  # "Michael, Connor, Jaeci and Kailey were shot dead": the children alone
    if _suicide_after(s, q.end):
        return False  # "he left seven dead before killing himself": his victims alone
    return bool(words & _BODY_WORDS) or s.word(q.trigger[0] - 1) == "found"


def _suicide_after(s: _Sentence, start: int) -> bool:
    """A death by one's own hand told after `start` as what came next: "... before killing himself",
    "..., then turned the gun on herself", "before he committed suicide"."""
    for i in range(start, s.n):
        if s.low[i] not in ("himself", "herself", "suicide"):
            continue
        verb = s.toks[i].head
        while verb.dep_ == "prep" and verb.head.i != verb.i:
            verb = verb.head  # "turned the gun on himself"
        if verb.head.lower_ == "before" or any(
                (c.lower_, c.dep_) in (("before", "mark"), ("then", "advmod")) for c in verb.children):
            return True
    return False


def _beside_dead(q: _Quantity, qs: list[_Quantity]) -> bool:
    """A wounded person told beside others who died, in one sentence ("a 6-year-old girl was grazed and
    her cousin was shot dead", "two men died and a 3-year-old boy was wounded"): not one of the dead told
    twice (neither phrase inside the other)."""
    def named(p: _Quantity) -> bool:
        return p.head is not None and p.head.pos_ != "PRON"

    return q.kind == "injured" and named(q) and any(
        r.kind == "killed" and not r.subset and not r.vague and named(r) and r.head.i != q.head.i
        and not r.head.is_ancestor(q.head) and not q.head.is_ancestor(r.head) for r in qs)


_CARE = frozenset("condition treat recover hospitalize hospitalise".split())


def _in_care(s: _Sentence, q: _Quantity) -> bool:
    """One person told through their care ("one victim is in critical condition", "one was treated for
    a gunshot wound"): a victim named one by one, not the incident's count of the injured."""
    return q.value == 1 and q.kind == "injured" and q.trigger is not None and any(
        (t := s.tok(k)) is not None and t.lemma_.lower() in _CARE for k in range(q.trigger[0], q.trigger[1]))


_FATAL_EVENTS = frozenset("shooting stabbing attack accident incident assault".split())


def _fatal_noun(tok: Token) -> bool:
    """ "a fatal shooting", "the deadly attack" (not "non-fatal", not "fatal shootings")."""
    return tok.lower_ in _FATAL_EVENTS and any(
        c.dep_ == "amod" and c.lower_ in ("fatal", "deadly")
        and (c.i == 0 or c.doc[c.i - 1].lower_ not in ("non", "-"))
        for c in tok.children)


def _reflexive(s: _Sentence, tok: Token) -> tuple[FigureKind, bool, Token] | None:
    node = tok
    if tok.lower_ == "own":  # "took his own life"
        node = tok.head
        verb = node.head
        if node.dep_ == "dobj" and verb.lemma_.lower() in ("take", "end"):
            return "killed", False, verb
        return None
    while node.dep_ == "conj" and node.head.pos_ != "VERB":
        node = node.head
    verb = node.head
    gapped = ("conj", "dep", "npadvmod", "punct")  # how the parser hangs a reflexive with no verb of its own
    if node.dep_ in gapped:  # the verb is the last one before it with an object
        verb = next((t for t in reversed(tok.doc[s.offset:tok.i]) if t.pos_ == "VERB" and any(
            c.dep_ == "dobj" for c in t.children)), verb)  # "shoots 4 relatives, killing 2, then himself"
    # "killed his wife and himself"; gapped after the verb's object: "kills wife, then himself", "shoots wife
    # and then himself" (the parser hangs the reflexive on the verb as a conjunct or a bare dependent)
    if node.dep_ == "dobj" or (node.dep_ in gapped and verb.pos_ == "VERB" and any(
            c.dep_ == "dobj" for c in verb.children)):
        lemma = verb.lemma_.lower()
        if lemma in _KILL_VERBS or (lemma == "blow" and any(c.dep_ == "prt" and c.lower_ == "up"
                                                              for c in verb.children)):
            return "killed", False, verb  # "blew himself up": the bomber is dead
        if lemma in _SHOOT_VERBS:
            fatal = _death_signal(verb)
            return ("killed", False, fatal) if fatal is not None else ("injured", True, verb)
    if node.dep_ == "pobj" and verb.lower_ == "on":
        turn = verb.head  # "turned the gun on himself"
        if turn.lemma_.lower() == "turn" and any(c.dep_ == "dobj" and c.lemma_.lower() in (
                "gun", "weapon", "rifle", "shotgun", "pistol", "handgun", "firearm") for c in turn.children):
            return "killed", False, turn
    return None


def _subject(verb: Token) -> Token | None:
    """The subject of a verb, or of the verb it is coordinated with ("shot his wife, then turned ...")."""
    node = verb
    for _ in range(4):
        subj = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None:
            return subj
        if node.dep_ not in ("conj", "advcl", "xcomp") or node.head.i == node.i:
            return None
        node = node.head
    return None


def _harms_others(verb: Token, killing: bool = False) -> bool:
    """Whether the one who turned on himself also killed (or shot, or wounded) someone (in the same
    sentence)."""
    node = verb
    verbs = _KILL_VERBS if killing else _KILL_VERBS | _SHOOT_VERBS | _HURT_VERBS
    for _ in range(4):
        for v in [node, *node.conjuncts]:
            if (v.lemma_.lower() in verbs or (killing and _death_signal(v) is not None)) and any(
                    c.dep_ == "dobj" and c.lower_ not in _REFLEXIVE for c in v.children):
                return True
        if node.head.i == node.i:
            break
        node = node.head
    return False


def _dateline_end(s: _Sentence) -> int:
    """Tokens of a wire dateline opening the sentence ("OUAGADOUGOU, Burkina Faso (AFP) - ..."): names,
    commas and an agency in brackets before a spaced dash. Nobody there is a victim."""
    for j, tok in enumerate(s.toks[:15]):
        if tok.text in ("-", "—", "–", "--") and j > 0 and s.toks[j - 1].whitespace_:
            return j + 1
        if not (tok.pos_ == "PROPN" or tok.is_punct or tok.text.isupper()):
            return 0
    return 0


def _quantities(s: _Sentence) -> list[_Quantity]:
    found: list[_Quantity] = []
    i = _dateline_end(s)
    starts = _start_words()
    while i < s.n:
        w = s.low[i]
        q = s.singular_at(i) if i == 0 else None  # a headline's bare subject: "Woman fatally shot"
        if q is None and (w in starts or w[0].isdigit()):
            q = s.quantity_at(i) or s.singular_at(i)
        if q is None and (s.toks[i].pos_ == "PROPN" or s.word(i + 1) in ("'s", "’s")):
            q = s.singular_at(i) or s.named_at(i)
        if q is None and (w in ("he", "she", "him") or w == "another" and s.toks[i].tag_ == "DT") and \
                s.toks[i].dep_ in ("nsubj", "nsubjpass", "dobj"):
            q = _Quantity(i, i, i + 1, 1, 1, 1, "exact", False, singular=True, np_end=i + 1,
                          head=s.toks[i])  # "he died", "she was pronounced dead", "another wounded": one person
        if q is None and w == "both" and s.toks[i].dep_ in ("nsubj", "nsubjpass", "dobj"):
            q = _Quantity(i, i, i + 1, 2, 2, 2, "exact", False, np_end=i + 1)  # "both were taken to hospital"
        if q is None and w == "both" and _counts_people(s.toks[i]):
            q = _Quantity(i, i, i + 1, 2, 2, 2, "exact", False)  # "both men were killed": two, as "two men"
        if q is None and w == "twin" and s.toks[i].head.tag_ == "NNS" and _people(s.toks[i].head.lower_):
            q = _Quantity(i, i, i + 1, 2, 2, 2, "exact", False)  # "his twin daughters": two
        if q is not None and not q.singular and not q.explicit and q.qualifier == "exact":
            k = q.end  # "15-year-old killed", "17 y.o killed": an age standing for one person
            while k < s.n and k < q.end + 4 and (s.low[k] == "-" or s.low[k] in _AGE_UNITS):
                k += 1
            if _is_age_noun(s, k):
                q = _Quantity(i, i, k + 1, 1, 1, 1, "exact", False, singular=True, np_end=k + 1,
                              head=s.toks[k])
        if q is None:
            i += 1
            continue
        s.noun_phrase(q)
        if not s.is_count_of_things(q):
            found.append(q)
        aged = q.head is not None and q.np_end > q.end and s.toks[q.end].like_num  # "2 16-year-olds": one count
        i = max(q.end, i + 1) if not (q.singular or aged) else q.np_end
    return found


def _link(s: _Sentence, qs: list[_Quantity]) -> None:
    """Give each quantity its kind (rules 1-6 of the module docstring)."""
    for q in qs:
        if not q.singular and s.subset_before(q):
            q.subset = True
            continue
        s.trigger_after(q)
        if q.kind is None:
            s.trigger_before(q)
        if q.kind is None:
            s.casualty_adjective(q)
        if q.kind is None and q.head is not None and (care := _in_condition(q.head)) is not None:
            q.kind = "injured"  # "two others in critical condition"
            q.trigger = (care.i - s.offset, care.i - s.offset + 1)
        if q.kind is None and not q.singular:
            q.kind = _KIND_NOUNS.get(q.head.lemma_.lower()) if q.head is not None else None
            if q.kind is None:
                s.toll_before(q)
        if q.kind is None:
            _parse_link(s, q)
        elif q.kind == "injured":  # "the boy who was shot in the face has died": the main clause decides
            main = _Quantity(q.start, q.num, q.end, 1, 1, 1, "exact", False, head=q.head)
            _parse_link(s, main)
            if main.kind == "killed":
                q.kind, q.trigger, q.shot = main.kind, main.trigger, False
    for n, q in enumerate(qs):
        earlier = [p for p in qs[:n] if p.kind and not p.subset]
        if q.subset and q.kind is None:
            q.kind = earlier[-1].kind if earlier else s.kind_word_before(q)
        elif q.kind is None and not q.singular and earlier:
            gap = s.low[earlier[-1].np_end:q.start]
            if s.word(q.start - 1) in _INHERIT_BEFORE:
                q.kind, q.start = earlier[-1].kind, q.start - 1
            elif s.word(q.end) in _INHERIT_AFTER or s.low[q.end:q.end + 2] in _OF_THEM or (
                    earlier[-1] is qs[n - 1] and gap and all(w in _COORDINATION for w in gap)):
                q.kind = earlier[-1].kind
        if earlier and q.kind == earlier[-1].kind and s.low[q.end:q.end + 2] in _OF_THEM:
            q.subset = True
        elif (earlier and q.kind == "injured" == earlier[-1].kind and not q.singular and q.head is None
              and q.value < earlier[-1].value):
            q.subset = True  # "two men were shot; one was treated for a wound": a part of the two
    for q, nxt in zip(qs, qs[1:], strict=False):
        gap = s.low[q.np_end:nxt.start]
        if (q.kind is None and not q.singular and nxt.linked_after and not nxt.subset
                and gap and all(w in ("and", ",") for w in gap)):
            q.kind = nxt.kind


def _is_aggregate(s: _Sentence, q: _Quantity, text: str) -> bool:
    """A cumulative toll: "in total", "have been killed since 2011", "a war that has killed"."""
    if _CUMULATIVE.search(text) or (_SINCE.search(text) and _PERFECT.search(text)):
        return True
    verb = s.tok(q.trigger[0]) if q.trigger is not None else None
    if verb is None:
        return False
    if verb.dep_ == "relcl" and verb.head.lemma_.lower() in _AGGREGATE_NOUNS:
        return True
    return any(c.dep_ == "nsubj" and c.lemma_.lower() in _AGGREGATE_NOUNS for c in verb.children)


def _counts_people(both: Token) -> bool:
    """ "both men", "both victims", "both of the teens": "both" counting a plural noun of people."""
    head = both.head
    if both.dep_ == "nsubj" and head.lower_ == "of":
        head = next((c for c in head.children if c.dep_ == "pobj"), head)  # "both of the teens"
    elif both.dep_ not in ("det", "predet"):
        return False
    return (head is not both and head.tag_ == "NNS" and _people(head.lower_)
            and head.dep_ != "appos")  # not "two victims, both men": the victims again


def _people(word: str) -> bool:
    """A plural noun of people: "officers", "bystanders", "children", "people"."""
    return word in ("people", "men", "women", "children", "police") or (
        word.endswith("s") and (word[:-1] in PERSON_NOUNS or word[:-2] in PERSON_NOUNS))


def _zero_figures(sent: Span, text: str, lowered: str) -> list[FigureMention]:
    """ "no one was hurt", "nobody was killed", "no casualties": figures of 0."""
    out: list[FigureMention] = []
    if not any(w in lowered for w in ("no", "without", "zero", "unh", "uninj", "unsc", "unwo", "n't")):
        return out
    for m in _ZERO.finditer(text):
        kinds: list[FigureKind] = []
        for w in (m["w"], m["w2"], m["w3"], m["w4"], m["w6"], m["w7"]):
            for kind in _ZERO_WORDS.get((w or "").lower(), ()):
                if kind not in kinds:
                    kinds.append(kind)
        if m["w5"] or (m["w7"] or m["w8"] or "").lower() == "shot":
            kinds.append("injured")  # unhurt; "no one else was shot": nobody else wounded by the gunfire
        if m["group"] and not _people(m["group"].lower()):
            continue  # "no shots were fired", "no arrests were made": not people
        start, end = sent.start_char + m.start(), sent.start_char + m.end()
        # a group ("no officers were hurt") or one person unhurt: 0 only when no other figure counts anyone
        scope = NOBODY_ELSE if m["w5"] or m["w6"] or m["group"] or _ELSE.search(m.group(0)) else None
        out += [FigureMention(kind=k, value=0, low=0, high=0, start=start, end=end,
                              text=m.group(0), scope=scope) for k in kinds]
    return out


def find_figures(sent: Span) -> list[FigureMention]:
    """Casualty figures stated in one sentence, in text order. A question states none ("how many
    more have to die?")."""
    text = sent.text  # Doc.text joins the whole document on every call: stay within the sentence
    lowered = text.lower()
    if not any(stem in lowered for stem in _GATE) or text.rstrip(" \"'”’)").endswith("?"):
        return []
    s = _Sentence(sent)
    qs = _quantities(s)
    _link(s, qs)
    qs += _coordination(s, qs)
    qs += _clause_sums(s, qs)
    qs += _additions(s, qs)
    qs += _special(s, qs)
    figures = _zero_figures(sent, text, lowered)
    base = sent.start_char

    def within(i: int) -> int:  # a token index inside the sentence
        return min(max(i, 0), s.n - 1)

    def chars(first: int, last: int) -> tuple[int, int]:  # character span of tokens first..last
        a, b = s.toks[within(first)], s.toks[within(last)]
        return a.idx, max(a.idx, b.idx + len(b))

    for q in qs:
        if q.kind is None:
            continue
        first, last = q.start, max(q.end, q.np_end) - 1
        if q.trigger and not q.subset:
            first, last = min(first, q.trigger[0]), max(last, q.trigger[1] - 1)
        start, end = chars(first, last)
        perpetrators = q.perpetrators if q.perpetrators is not None else (
            q.kind in ("killed", "injured") and _noun_in(q.head, _PERPETRATORS))
        scope = q.scope or (DIED_OF_WOUNDS if _died_of_them(s, q) else ALL_DEAD if _body_count(s, q) else None)
        kin = (q.singular and not q.shot and q.kind == "injured" and s.word(q.start) in ("her", "his", "their")
               and _noun_in(q.head, _KIN))
        another = q.singular and (kin or any(w in _ANOTHER for w in s.low[q.start:max(q.end, q.np_end)]) or (
            q.trigger is not None and any(
                s.word(k) == "also" for k in range(max(0, q.trigger[0] - 2), q.trigger[1]))) or _beside_dead(q, qs))
        if scope:
            pass
        elif q.vague and not q.subset:
            scope = NO_NUMBER
        elif another and not perpetrators and not q.subset:
            a, b = chars(q.start, _phrase_end(s, q) - 1)
            scope = f"{ANOTHER_PERSON}: {text[a - base:b - base]}"
        elif q.shot and q.kind == "injured" and not perpetrators:
            scope = SHOT
            if q.singular and not q.subset:  # one person shot: who, to tell them from the others
                a, b = chars(q.start, _phrase_end(s, q) - 1)
                scope = f"{SHOT}: {text[a - base:b - base]}"
        elif (q.singular or _in_care(s, q)) and not perpetrators and not q.subset:
            a, b = chars(q.start, _phrase_end(s, q) - 1)
            np_text = text[a - base:b - base]
            if q.implied or s.word(q.start) in _REFLEXIVE or s.word(q.start) in ("own", "life", "suicide"):
                np_text = text[start - base:end - base]
            scope = f"{ONE_PERSON}: {np_text}"
        figures.append(FigureMention(
            kind=q.kind, value=q.value, low=q.low, high=q.high, qualifier=q.qualifier,
            start=start, end=end, text=text[start - base:end - base], subset=q.subset,
            perpetrators=perpetrators, aggregate=_is_aggregate(s, q, text), scope=scope,
        ))
    return sorted(figures, key=lambda f: f.start)


def _phrase_end(s: _Sentence, q: _Quantity) -> int:
    """Where the phrase of one person ends: after the noun phrase and an age in apposition ("Ann Cole, 25,")."""
    end = max(q.end, q.np_end)
    if s.word(end) == "," and s.word(end + 2) == "," and _DIGITS.match(s.word(end + 1)) \
            and int(s.word(end + 1)) < 120:
        return end + 2
    return end


def _inflections(lemmas: frozenset[str]) -> set[str]:
    """The written forms of regular verbs and nouns: "wound" -> wounds, wounded, wounding."""
    out = set()
    for w in lemmas:
        stem = w[:-1] if w.endswith("e") else w
        out |= {w, f"{w}s", f"{stem}ed", f"{stem}ing", f"{w}d" if w.endswith("e") else w}
    return out


# Words of a toll, of harm and care, and of who did it, as written (no parse needed): a sentence without
# one of them (nor an event cue) holds no figure (`extract/selection.py` leaves it out of the parse).
HARM_WORDS = frozenset(
    {*_AFTER, *_BEFORE, *_ZERO_WORDS, *_KIND_NOUNS, *_DEATH_NOUNS, *_WOUND_NOUNS, *_CONDITIONS - {"good", "fair"},
     *_inflections(_KILL_VERBS | _DIE_VERBS | _HURT_VERBS | _CARE | frozenset({"harm", "pronounce"})),
     *_PERPETRATORS, *(f"{w}s" for w in _PERPETRATORS), *(f"{w}s" for w in _KIND_NOUNS),
     "died", "dying", "shot", "shoot", "shooting", "shootings", "bodies", "unharmed", "fatal", "fatally",
     "stabbed", "stabbing", "stabbings", "victim", "hospital", "hospitals", "trauma", "casualty", "hit", "struck"})
