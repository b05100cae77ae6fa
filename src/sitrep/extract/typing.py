"""Incident typing: ACLED event and sub-event type, and GTD attack type, weapon type, target types, suicide.

Two steps, both driven by the codebook (`codebook/events.yaml`):

1. `FrameReader` reads who did what to whom in a parsed sentence. Each act word of the frame lexicon
   ("killed", "exchanged fire", "demonstrated", "defused") becomes a `Predication`: the act class with
   the classes of its agents (subject, "by" phrase) and patients (object, passive subject, "on"/"against"
   phrase): state, armed, protesters, crowd, civilian, suspect, weapon, property, territory. Acts in background
   clauses ("after the murder of a farmer", "accused of killing", "demonstrated against the arrest")
   and unrealised ones ("would attack", "planned to attack", "no clash") are left out.
2. `IncidentTyper` applies the sub-event types' rules in codebook order to an incident's predications
   and cues: the first type whose rule holds wins; otherwise the strong, then the weak cues decide.
   A description that matches nothing is "Attack" when it counts casualties, else "Other".

The same path types an incident of a full article and a one-sentence event description (an ACLED note).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokenizer import Tokenizer
from spacy.tokens import Span, Token

from sitrep.codebook import Codebook, FrameRule
from sitrep.extract.figures import PERSON_NOUNS
from sitrep.extract.modality import _words_pattern
from sitrep.records import Cue, Predication

_DETERMINERS = {"a", "an", "the", "their", "its", "his", "her", "some"}
_PATIENT_PREPS = {"on", "against", "at", "upon", "onto"}
_EXPLOSION_PLACE_PREPS = {"near", "outside", "inside", "at", "in", "on"}  # "a bomb went off near a bus station"
UNACCUSATIVE = {"die", "death", "perish", "explode", "disappear"}  # their subject is what suffers the act
_NOMINAL_DEPS = {"nsubj", "nsubjpass", "dobj", "pobj", "attr", "appos"}  # "Clash between ..." tagged VERB
_LIGHT_VERBS = {"carry", "launch", "stage", "mount", "conduct", "organise", "organize", "hold", "lead", "perpetrate",
                "commit", "begin", "start", "engage", "get", "take", "make", "use", "fire", "unleash"}
_HARMS_ITS_OBJECT = {"kill", "murder", "injure", "abduct", "rape"}  # acts whose direct object is the one harmed
_HANDLING_VERBS = {"take", "get", "hold"}  # light verbs that, with a weapon, only move it: no attack
_TWO_SIDED = {"fight"}  # acts whose "with" object is a fighting party like the subject
_PARTICLES = {"out", "back", "over", "away", "down", "off", "up"}  # adverbs the parse may tag as prepositions
_TRANSITIVE = {"retake"}  # acts that, as verbs, are acts only with an object (or a passive subject)
_EVENT_NOUNS = {"incident", "event", "episode"}  # nouns whose relative clause tells the event itself
_TOLL_VERBS = {"kill", "injure", "wound", "hurt"}  # passive, they tell what befell people
_CAUSE_MARKS = {"after", "following"}  # "were hurt after police fired": the clause of the act itself
_BLADES = re.compile(r"\b(machetes?|knife|knives|axes?|blades?|cutlass(es)?|spears?|hacked|stabbed)\b", re.I)


class _PhraseTable:
    """Longest-match lookup of labelled phrases over tokens, by lemma or form; determiners may be skipped."""

    def __init__(self, entries: dict[str, list[str]], tokenizer: Tokenizer):
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for label, phrases in entries.items():
            for phrase in phrases:
                words = tuple(t.lower_ for t in tokenizer(phrase) if t.lower_ not in _DETERMINERS) or (phrase,)
                self._by_first.setdefault(words[0], []).append((words, label))
        for candidates in self._by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))

    def find(self, tokens: list[Token]) -> list[tuple[int, int, str]]:
        """(first, last+1, label) for every non-overlapping match, longest first at each position."""
        found, i = [], 0
        while i < len(tokens):
            match = None
            for key in _forms(tokens[i]):
                for words, label in self._by_first.get(key, ()):
                    end = _match_at(tokens, i, words)
                    if end is None and _particle_verb(tokens[i], words):  # "handed the town over"
                        end = i + 1
                    if end and (match is None or end > match[1]):
                        match = (i, end, label)
            if match:
                found.append(match)
                i = match[1]
            else:
                i += 1
        return found


# What an explosion, a wave or an outbreak "of" may be that is no violent act of its own ("an explosion of rioting
# and looting", "a blast of anger"): the words of feelings and of unrest, whose own cues tell what happened.
_FIGURATIVE_OF = {"rioting", "looting", "violence", "anger", "rage", "fury", "outrage", "unrest", "protest", "protests",
                  "emotion", "emotions", "joy", "grief", "discontent", "frustration", "popularity", "growth", "creativity"}


def figurative(tok: Token) -> bool:
    """Is this explosion or blast a figure of speech ("an explosion of rioting"), not a bomb going off?"""
    return tok.lemma_.lower() in {"explosion", "blast"} and any(
        c.dep_ == "prep" and c.lower_ == "of" and any(o.lower_ in _FIGURATIVE_OF for o in _objects(c))
        for c in tok.children)


def _forms(tok: Token) -> set[str]:
    return {tok.lower_, tok.lemma_.lower()}


def _particle_verb(tok: Token, words: tuple[str, ...]) -> bool:
    """A two-word phrasal verb whose particle follows the object ("handed Manbij over", "took them away",
    "drove the rebels out of the village")."""
    return len(words) == 2 and tok.pos_ == "VERB" and any(
        c.lower_ == words[1] and c.i > tok.i and (c.dep_ == "prt" or (c.dep_ in {"prep", "advmod"} and c.lower_ in _PARTICLES))
        for c in tok.children)


def _match_at(tokens: list[Token], i: int, words: tuple[str, ...]) -> int | None:
    """End index when `words` match from token i, else None. Inside a phrase the text may add determiners and
    modifiers of the next word ("exchanged artillery and machine-gun fire" is "exchange fire")."""
    k = i
    for n, word in enumerate(words):
        if n and k < len(tokens) and word not in _forms(tokens[k]):
            ahead = next((m for m in range(k + 1, min(k + 6, len(tokens))) if word in _forms(tokens[m])), None)
            if ahead is None or tokens[ahead].left_edge.i > tokens[k].i:
                return None
            k = ahead
        if k >= len(tokens) or word not in _forms(tokens[k]):
            return None
        k += 1
    if len(words) > 1 and tokens[k - 1].dep_ == "compound":  # "killed a cattle trader" is not "kill cattle"
        return None
    return k


class FrameReader:
    """Reads predications (who did what to whom) from parsed sentences; built once per pipeline."""

    def __init__(self, codebook: Codebook, tokenizer: Tokenizer):
        lex = codebook.frames
        self._acts = _PhraseTable(lex.acts, tokenizer)
        self._actor_words = {label: set(words) for label, words in lex.actors.items()}
        self._collective = set(lex.collective)
        self._armed_markers = set(lex.armed_markers)
        self._unidentified = set(lex.unidentified_markers)
        self._blades = set(lex.blade_markers)
        self._suspect_markers = set(lex.suspect_markers)
        self._background = set(lex.background)
        self._unrealised = set(lex.unrealised)
        self._actors: dict[str, str] = {}  # short upper-case aliases ("IS") match with their case, others folded
        for actor in codebook.actors:
            for alias in [actor.name, *actor.aliases]:
                key = alias if len(alias) <= 4 and alias.isupper() else alias.lower()
                self._actors[key] = "state" if actor.kind == "state" else "armed"
        self._verbs_only = set(lex.verbs_only)
        self._participant_acts = set(lex.participant_acts)
        self._labels = {label.lower(): t.name for t in codebook.sub_event_types for label in t.label}
        self._targets = _PhraseTable(codebook.gtd.target_types, tokenizer)
        self._firearms = {w for w in codebook.weapons["Firearms"] if " " not in w}
        self._weapon_nouns = {w for words in codebook.weapons.values() for w in words if " " not in w}

    def __call__(self, sent: Span, index: int) -> list[Predication]:
        """The realised, foreground predications of one sentence."""
        tokens = list(sent)
        found: list[Predication] = []
        if (labelled := self._label(sent)) is not None:
            found.append(Predication(act="label", sub_event_type=labelled, sentence_index=index,
                                     start=sent.start_char, end=sent.start_char))
        for first, end, act in self._acts.find(tokens):
            span = sent.doc[tokens[first].i : tokens[end - 1].i + 1]
            head = span.root
            if end - first == 1 and (
                head.pos_ not in {"VERB", "NOUN", "PROPN", "AUX"} or head.ent_type_ in {"DATE", "TIME"}
                or head.dep_ == "compound" or (head.pos_ != "VERB" and head.lemma_.lower() in self._verbs_only)
            ):
                continue  # "On 9 March", "riot police", "treated for burns"
            if self._is_background(head, act) or self._is_unrealised(head) or figurative(head):
                continue
            if act in _TRANSITIVE and head.pos_ == "VERB" and not any(c.dep_ in {"dobj", "nsubjpass"} for c in head.children):
                continue  # "drove back from an orphanage": a journey, not ground retaken
            agents, patients = _roles(head, act)
            if head.dep_ == "dobj" and head.head.lemma_.lower() in _HANDLING_VERBS and _forms(head) & self._weapon_nouns:
                agents = []  # "the officers took the bomb inside": who moves a bomb sets off none
            if act == "explode" and any(_forms(t) & self._firearms for t in agents + patients):
                act = "shoot"  # "the gun went off": a shot, accidental or not, never a bomb
            patients = [t for t in patients if t.ent_type_ not in {"DATE", "TIME"} and not span.start <= t.i < span.end]
            if act in _TWO_SIDED:  # "X clashed with Y": both are fighting parties
                agents, patients = agents + patients, []
            agent_classes = _unique(c for t in agents if (c := self.actor_class(t, agent=True)))
            patient_classes = _unique(c for t in patients if (c := self.actor_class(t, agent=False)))
            found.append(Predication(
                act=act, agents=agent_classes or ["unknown"], patients=patient_classes or ["unknown"],
                patient_words=_unique(t.lower_ for t in patients), targets=self._target_types(patients),
                sentence_index=index,
                start=span.start_char, end=span.end_char,
            ))
        return found

    def _label(self, sent: Span) -> str | None:
        """An ACLED analyst's label before a colon at the start of a note ("Looting: On 11 August ...")."""
        head, colon, _ = sent.text[:60].partition(":")
        return self._labels.get(head.strip().lower()) if colon else None

    def actor_class(self, tok: Token, agent: bool) -> str | None:
        """The class of the actor or thing a noun phrase names (see `frames.actors` in the codebook)."""
        if tok.pos_ == "PRON":
            return "civilian" if agent and tok.lower_ in ("he", "she") else None  # "he shot his wife": a person
        words = _phrase_words(tok, self._collective)
        named = self._named(words)
        lemmas = {f for w in words for f in _forms(w)}
        pairs = {f"{a} {b}" for x, y in zip(words, words[1:]) for a in _forms(x) for b in _forms(y)}
        head_forms = {f for h in _heads(tok, self._collective) for f in _forms(h)}

        def has(label: str, forms: set[str]) -> bool:
            return bool(forms & self._actor_words[label])

        if named:
            return named
        if agent and has("aircraft", head_forms):  # "unidentified aircraft struck", "a drone fired"
            return "aircraft"
        if not agent and _relative_words(tok) & self._suspect_markers:  # "two men suspected of being militants"
            return "suspect"
        if agent:
            words = words + _equipment(tok)
            lemmas = {f for w in words for f in _forms(w)}
        if lemmas & self._armed_markers or has("armed", head_forms) or (agent and lemmas & self._unidentified):
            return "armed"
        if not agent and has("installation", head_forms | pairs):  # "captured two posts", "attacked a base"
            return "installation"
        if has("state", head_forms | pairs) and not has("civilian", pairs):  # not "a security guard"
            return "state"
        if has("protesters", lemmas):
            return "protesters"
        if not agent and (has("suspect", head_forms) or lemmas & self._suspect_markers):
            return "suspect"
        if has("crowd", head_forms):
            return "crowd"
        if agent and lemmas & self._blades:
            return "armed"
        if has("civilian", head_forms):
            return "civilian"
        if has("settlement", head_forms):
            return "settlement"
        if not agent and has("weapon", head_forms):  # "defused the bomb", "shot down two drones"
            return "weapon"
        if has("property", head_forms | pairs):
            return "property"
        if has("territory", head_forms) or tok.ent_type_ in {"GPE", "LOC"}:
            return "territory"
        if tok.ent_type_ == "PERSON" or head_forms & PERSON_NOUNS:
            return "civilian"  # a person of no class above: "an ex-firefighter killed his son"
        if agent and tok.ent_type_ == "ORG":
            return "armed"
        return None

    def _named(self, words: list[Token]) -> str | None:
        """The class of a listed armed group or force named in the phrase ("suspected JNIM militants")."""
        texts = [t.text for t in words]
        for n in range(min(len(texts), 6), 0, -1):
            for i in range(len(texts) - n + 1):
                gram = " ".join(texts[i : i + n])
                found = self._actors.get(gram) or self._actors.get(gram.lower())
                if found:
                    return found
        return None

    def _target_types(self, patients: list[Token]) -> list[str]:
        found: list[str] = []
        for tok in patients:
            words = [t for t in tok.subtree if t.i <= tok.i or t.dep_ in {"prep", "pobj"}]
            for _, _, label in self._targets.find(words):
                if label not in found:
                    found.append(label)
        return found

    def _is_background(self, tok: Token, act: str) -> bool:
        """Is the act a cause, motive, accusation or aim of something else rather than the event itself?"""
        if tok.dep_ == "acl" and act in self._participant_acts:
            return False  # "women rallying in Tehran": the act describes a participant
        if tok.dep_ == "relcl" and _forms(tok.head) & self._actor_words.get("protesters", set()):
            return False  # "police fired tear gas at protesters who hurled stones": what the event's crowd did
        if tok.dep_ == "relcl" and act in _HARMS_ITS_OBJECT | {"shoot", "attack"} and _forms(tok.head) & (
                self._actor_words.get("suspect", set()) | self._actor_words.get("armed", set())):
            return False  # "police search for the suspect who killed four people": what the perpetrator did
        node = tok
        for _ in range(10):
            if node.dep_ == "relcl" and node.head.lemma_.lower() not in _EVENT_NOUNS:
                return True  # not "the incident where police used force": that clause tells the incident
            marks = {c.lower_ for c in node.children if c.dep_ == "mark"}
            if node.dep_ == "advcl" and marks & self._background and not (marks & _CAUSE_MARKS and _toll_clause(node.head)):
                return True  # "demonstrated after a colleague was killed", not "two were hurt after police fired"
            if node.head.i == node.i:
                return False
            node = node.head
            if node.lemma_.lower() in self._background or node.lower_ in self._background:
                return True
        return False

    def _is_unrealised(self, tok: Token) -> bool:
        """A negated, modal, conditional or future act ("would not attack", "no clash was reported")."""
        verb = tok
        if tok.pos_ in {"NOUN", "PROPN"}:
            if any(c.dep_ in {"det", "neg"} and c.lower_ in {"no", "not"} for c in tok.children):
                return True
            if tok.dep_ in {"nsubj", "nsubjpass", "dobj"} and tok.head.pos_ in {"VERB", "AUX"}:
                verb = tok.head
            else:
                return False
        return any(
            (c.dep_ in {"aux", "neg", "advmod"} and c.lower_ in self._unrealised)
            or (c.dep_ == "mark" and c.lower_ in {"if", "unless"})
            or (c.dep_ in {"nsubj", "nsubjpass"} and _nobody(c))
            for c in verb.children
        )


def _toll_clause(verb: Token) -> bool:
    """A clause that only tells what befell people ("two were injured", "three died", "three people are
    dead"): the clause it is told "after" is the act that did it, as wire leads write it."""
    lemma = verb.lemma_.lower()
    if lemma in UNACCUSATIVE or lemma in {"hospitalize", "hospitalise", "suffer"}:
        return True
    if lemma in _TOLL_VERBS:
        return any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children)
    return lemma == "be" and any(c.dep_ == "acomp" and c.lower_ in {"dead", "injured", "wounded"} for c in verb.children)


def _nobody(tok: Token) -> bool:
    """"no one was hurt", "nobody was killed", "none of the crew was injured"."""
    return tok.lower_ in {"nobody", "none", "noone"} or any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _relative_words(tok: Token) -> set[str]:
    """Words of the clauses that qualify a noun ("a man who they accused of sorcery", "suspected of theft")."""
    return {f for c in tok.children if c.dep_ in {"relcl", "acl"} for t in c.subtree for f in _forms(t)}


def _heads(tok: Token, collective: set[str]) -> list[Token]:
    """The noun that names who a phrase is: through collective heads ("a group of farmers" -> farmers)."""
    heads = [tok]
    node = tok
    for _ in range(3):
        if node.lemma_.lower() not in collective and node.lower_ not in collective:
            break
        of = next((c for c in node.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        target = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if target is None:
            break
        heads.append(target)
        node = target
    return heads


def _phrase_words(tok: Token, collective: set[str]) -> list[Token]:
    """The head with its modifiers, through collective heads ("members of an unidentified armed group")."""
    words: list[Token] = []
    for head in _heads(tok, collective):
        words.extend(c for c in head.children if c.dep_ in {"amod", "compound", "nmod", "poss"} and c.i < head.i)
        words.append(head)
    return words


def _equipment(tok: Token) -> list[Token]:
    """What a perpetrator is equipped with ("farmers equipped with firearms", "men with machetes")."""
    return [t for c in tok.children if c.dep_ == "acl" or (c.dep_ == "prep" and c.lower_ == "with")
            for t in c.subtree if t.pos_ in {"NOUN", "ADJ", "PROPN"}]


def _conjuncts(tok: Token) -> list[Token]:
    return [tok, *tok.conjuncts]


def _objects(prep: Token) -> list[Token]:
    return [t for o in prep.children if o.dep_ == "pobj" for t in _conjuncts(o)]


def _subjects(verb: Token) -> list[Token]:
    return [t for s in verb.children if s.dep_ == "nsubj" for t in _conjuncts(s)]


def _patient_prep(prep: Token, act: str) -> bool:
    """A preposition that introduces what the act is done to: "fired on", "attack against", "clashed with"
    (a fight), "set fire to" (arson), "exploded near" (an explosion), "took control of", "drove them out of"
    (territory)."""
    word = prep.lower_
    if word == "at" and act in _HARMS_ITS_OBJECT and any(c.dep_ == "dobj" for c in prep.head.children):
        return False  # "executed four men at a checkpoint": where, not whom ("threw stones at police" stays)
    return prep.dep_ == "prep" and (
        word in _PATIENT_PREPS or (word, act) in {("with", "fight"), ("to", "destroy")}
        or (act == "explode" and word in _EXPLOSION_PLACE_PREPS)
        or (word in {"of", "from"} and act in {"retake", "take_territory"})  # "seized control of", "drove ... from"
    )


def _roles(head: Token, act: str) -> tuple[list[Token], list[Token]]:
    """Agent and patient noun tokens of an act word, read off the dependency parse."""
    agents: list[Token] = []
    patients: list[Token] = []
    if head.pos_ in {"NOUN", "PROPN"} or head.dep_ in _NOMINAL_DEPS:
        for c in head.children:
            if c.dep_ == "poss" or (c.dep_ == "compound" and (c.pos_ == "PROPN" or act in _TWO_SIDED)):
                agents.append(c)  # "the group's attack", "JNIM attack", "farmer-herder clashes"
            elif c.dep_ == "prep" and c.lower_ in {"by", "between"}:
                agents.extend(_objects(c))
            elif c.dep_ == "prep" and (c.lower_ in {"of", "with"} or _patient_prep(c, act)):
                patients.extend(_objects(c))
        verb = head.head
        if head.dep_ in {"dobj", "attr"} and verb.lemma_.lower() in _LIGHT_VERBS:  # "staged an attack"
            agents.extend(_subjects(verb))
        if head.dep_ == "dobj":  # "fired live rounds at protesters"
            patients.extend(t for p in verb.children if _patient_prep(p, act) for t in _objects(p))
        if head.dep_ == "pobj" and verb.head.lemma_.lower() in _LIGHT_VERBS:  # "engaged in a street fight"
            agents.extend(_subjects(verb.head))
        if head.dep_ == "nsubj":  # "fighting broke out between X and Y", "a clash erupted with farmers"
            agents.extend(t for p in verb.children if p.dep_ == "prep" and p.lower_ in {"between", "with"}
                          for t in _objects(p))
        return agents, patients

    verb = head
    # a participle with a subject and no auxiliary or object is a passive whose "were" is left out, as
    # headlines and lists write it ("houses were damaged and two villagers injured")
    elided_passive = verb.tag_ == "VBN" and not any(c.dep_ in {"aux", "auxpass", "dobj"} for c in verb.children)
    for c in verb.children:
        if c.dep_ == "nsubj":
            (patients if head.lemma_.lower() in UNACCUSATIVE or elided_passive else agents).extend(_conjuncts(c))
        elif c.dep_ == "nsubjpass":
            patients.extend(_conjuncts(c))
        elif c.dep_ == "agent":
            agents.extend(_objects(c))
        elif c.dep_ in {"dobj", "dative"}:
            patients.extend(_conjuncts(c))
            # "exchanged fire with soldiers", "opened fire on protesters", "set fire to a school"
            patients.extend(t for p in c.children if _patient_prep(p, act) for t in _objects(p))
        elif _patient_prep(c, act):
            patients.extend(_objects(c))
    node = verb
    for _ in range(3):  # "lynched and killed", "began to shoot", "killed ... when removing": the subject above
        if agents or node.dep_ not in {"conj", "xcomp", "advcl", "pcomp"}:
            break
        if node is not verb and any(c.dep_ in {"nsubjpass", "expl"} for c in node.children):
            break  # "it is expected to continue burning": the clause has a subject of its own
        node = node.head
        agents.extend(_subjects(node) or [t for c in node.children if c.dep_ == "agent" for t in _objects(c)])
    if node.dep_ == "acl" and node.head.pos_ in {"NOUN", "PROPN"}:
        active = any(c.dep_ == "dobj" for v in _conjuncts(node) for c in v.children)
        if active and not agents:  # "militants tied up and slaughtered 43 farmers" (a participle read as such)
            agents.append(node.head)
        elif not active:  # "a pastoralist killed by gunmen"
            patients.append(node.head)
    return agents, patients


@dataclass
class Typing:
    """The types of one incident (or one event description)."""

    sub_event_type: str
    event_type: str
    attack_type: str | None = None
    weapon_type: str | None = None
    target_types: list[str] = field(default_factory=list)
    suicide: bool = False


class IncidentTyper:
    """Applies the codebook's typing rules to an incident's predications and cues."""

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self._weapons = {label: _words_pattern(words) for label, words in codebook.gtd.weapon_types.items()}
        self._target_words = {label: _words_pattern(words) for label, words in codebook.gtd.target_types.items()}
        self._assassination = set(codebook.gtd.assassination_targets)
        self._bombings = {t.name for t in codebook.sub_event_types if t.gtd_attack == "Bombing/Explosion"}

    def __call__(
        self, predications: list[Predication], cues: list[Cue], has_casualties: bool, text: str = "",
        targets: Iterable[str] = (),
    ) -> Typing:
        """Type an incident. `predications` in text order; `text`: its event sentences and weapons (for the
        weapon type); `targets`: target and victim phrases found by the role stage (for the target types)."""
        name = self.sub_event_type(predications, cues, has_casualties)
        sub = self.codebook.sub_event(name)
        weapon = self._weapon_type(name, text) if sub.gtd_attack else None
        return Typing(
            sub_event_type=name, event_type=sub.event_type,
            attack_type=self._attack_type(sub.gtd_attack, predications, weapon, text),
            weapon_type=weapon,
            target_types=self._target_types(predications, targets) if sub.gtd_attack else [],
            suicide=name == "Suicide bomb" or any(c.sub_event_type == "Suicide bomb" and c.strong for c in cues),
        )

    def sub_event_type(self, predications: list[Predication], cues: list[Cue], has_casualties: bool) -> str:
        """The first type (codebook order) whose rule holds; else the cues; else Attack or Other."""
        labelled = next((p.sub_event_type for p in predications if p.sub_event_type), None)
        if labelled:
            return labelled
        labels = {p.act for p in predications} | {c for p in predications for c in [*p.agents, *p.patients]}
        first_cue: dict[str, int] = {}
        for c in cues:
            if c.strong:
                first_cue[c.sub_event_type] = min(c.start, first_cue.get(c.sub_event_type, c.start))
        for sub in self.codebook.sub_event_types:
            if any(_holds(rule, sub.name, predications, labels, first_cue) for rule in sub.frames):
                return sub.name
        return _by_cues(cues, self.codebook) or ("Attack" if has_casualties else "Other")

    def _weapon_type(self, name: str, text: str) -> str | None:
        """GTD weapon type: from the sub-event type for remote violence, else the first weapon family named
        (in the codebook's order: chemical, explosives, firearms, incendiary, melee, vehicle)."""
        if name == "Chemical weapon":
            return "Chemical"
        if name in self._bombings:
            return "Explosives"
        return next((label for label, pattern in self._weapons.items() if pattern.search(text)), None)

    def _attack_type(self, default: str | None, predications: list[Predication], weapon: str | None,
                     text: str) -> str | None:
        """GTD attack type: the type's default, an Assassination when a prominent person is killed, an
        Unarmed Assault when no firearm, explosive, fire or blade is used."""
        if default not in {"Armed Assault", "Unarmed Assault"}:
            return default
        if any(p.act in {"kill", "murder"} and set(p.patient_words) & self._assassination for p in predications):
            return "Assassination"
        if weapon in {"Firearms", "Explosives", "Incendiary"} or (weapon == "Melee" and _BLADES.search(text)):
            return "Armed Assault"
        return "Unarmed Assault" if weapon == "Melee" else default

    def _target_types(self, predications: list[Predication], targets: Iterable[str]) -> list[str]:
        found = [t for p in predications for t in p.targets]
        for phrase in targets:
            found.extend(label for label, pattern in self._target_words.items() if pattern.search(phrase))
        return _unique(found)


def _holds(rule: FrameRule, name: str, predications: list[Predication], labels: set[str],
           first_cue: dict[str, int]) -> bool:
    """Does the rule hold for the incident (see events.yaml for the semantics of its keys)?"""
    if rule.context and not labels & set(rule.context):
        return False
    if rule.without and labels & set(rule.without):
        return False
    if rule.cue:
        return name in first_cue and not any(
            p.act in rule.not_after and p.start < first_cue[name] for p in predications
        )
    if not rule.acts:
        return bool(rule.context)
    return any(_predication_holds(rule, p, predications[:k]) for k, p in enumerate(predications))


def _predication_holds(rule: FrameRule, p: Predication, before: list[Predication]) -> bool:
    return (
        p.act in rule.acts
        and not any(b.act in rule.not_after for b in before)
        and (not rule.agents or bool(set(p.agents) & set(rule.agents)))
        and (not rule.patients or bool(set(p.patients) & set(rule.patients)))
        and not set(p.agents) & set(rule.not_agents)
        and not set(p.patients) & set(rule.not_patients)
    )


def _by_cues(cues: list[Cue], codebook: Codebook) -> str | None:
    """Strong cues beat weak ones; among them the type listed first in the codebook wins. Types that
    `require` a family (force against protesters, riots) count only when that family is signalled too."""
    families = {codebook.sub_event(c.sub_event_type).family for c in cues} - {None}
    for strength in (True, False):
        names = {
            c.sub_event_type for c in cues
            if c.strong == strength and (codebook.sub_event(c.sub_event_type).requires in families | {None})
        }
        if names:
            return min(names, key=codebook.precedence)
    return None
