"""Who a sentence's statement is attributed to.

`find_reporter` looks, in order, for "according to X" and for the subject of a reporting verb
("X said", "said X", "X told Reuters", "X confirmed"; the one nearest the root of the parse when
there are several). "Footage from X showed", "a statement from X said" and "one of the X said"
give X; a document with no named source ("the report said") gives None. The name is the
subject's noun phrase without determiners, appositions, relative clauses and location phrases
("a police source in the city" -> "police source"), kept whole when it is a name with a
preposition ("Syrian Observatory for Human Rights"); a person's name is preferred to the title
before it ("Observatory head Rami Abdel Rahman" -> "Rami Abdel Rahman"), and a generic trailing
noun is dropped after an organisation name ("... for Human Rights monitor"). Pronoun subjects
give None: resolving "he said" is coreference, not attribution.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Span, Token

from sitrep.records import Reporter

SAYING_VERBS = frozenset("""
say tell report confirm add state announce note explain estimate indicate declare disclose
reveal inform warn quote cite assert affirm allege record document tally count
""".split())
_SHOW = frozenset("show broadcast air".split())
_DOCUMENTS = frozenset("""
statement report communique communiqué bulletin tally figure figures count data toll footage
image images video pictures broadcast release list
""".split())
_GENERIC = frozenset("monitor spokesman spokeswoman spokesperson group watchdog body agency "
                     "organisation organization".split())
_PEOPLE_WORDS = frozenset("spokesman spokeswoman spokesperson".split())
_NAME_PREPS = frozenset("for of on de del la".split())
_ORG_WORDS = frozenset("""
observatory ministry committee council watch network centre center agency organisation
organization group office commission union army forces police front coalition service
institute foundation association federation command department authority authorities
government agency monitor media television radio news
""".split())
_DETERMINERS = frozenset(["DET", "PRON"])
_PARTITIVES = frozenset("one some many several most all each".split())


def _depth(tok: Token) -> int:
    depth = 0
    while tok.head.i != tok.i:
        tok, depth = tok.head, depth + 1
    return depth


def _source(tok: Token) -> Token | None:
    """Who stands behind a subject: "a statement from the army" -> army, "one of the leaders"
    -> leaders; a document with no named source ("the report") -> None."""
    word = tok.lemma_.lower()
    document = word in _DOCUMENTS or tok.lower_ in _DOCUMENTS
    if document or tok.like_num or word in _PARTITIVES:
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ in ("from", "by", "of", "on"):
                pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj
        return None if document else tok
    return tok


def _is_name_pp(prep: Token) -> bool:
    """A preposition inside an organisation name: "Observatory for Human Rights"."""
    return (prep.head.pos_ == "PROPN" and prep.lower_ in _NAME_PREPS
            and any(t.pos_ == "PROPN" for t in prep.subtree))


def _phrase(head: Token) -> list[Token]:
    """The noun phrase of `head`: its left modifiers and any name-internal preposition."""
    edge = _left_edge(head)
    toks = [t for t in head.subtree if edge <= t.i <= head.i]
    for child in head.rights:
        if child.dep_ == "prep" and _is_name_pp(child):
            toks += [t for t in child.subtree if t.text not in (",", "(")]
        elif child.dep_ in ("compound", "flat"):
            toks += list(child.subtree)
        else:
            break
    toks.sort(key=lambda t: t.i)
    while toks and (toks[0].pos_ in _DETERMINERS or toks[0].is_punct):
        toks = toks[1:]
    while toks and toks[-1].is_punct:
        toks = toks[:-1]
    return toks


def _left_edge(head: Token) -> int:
    """Start of the contiguous left modifiers, stopping at punctuation."""
    i = head.i
    for t in reversed(list(head.lefts)):
        if t.is_punct or t.dep_ in ("punct", "cc", "prep", "relcl", "appos"):
            break
        i = t.left_edge.i
    return i


def _trim(toks: list[Token]) -> list[Token]:
    """Prefer a person's name to the title before it; drop "monitor" after an org name."""
    head = toks[-1] if toks else None
    if head is not None and head.ent_type_ == "PERSON":
        start = next(i for i, t in enumerate(toks) if t.ent_type_ == "PERSON"
                     and all(u.ent_type_ == "PERSON" for u in toks[i:]))
        return toks[start:]
    if (len(toks) > 2 and toks[-1].lower_ in _GENERIC and toks[-2].pos_ == "PROPN"
            and toks[-2].ent_type_ != "NORP"):
        return toks[:-1]
    return toks


def _reporter(subject: Token) -> Reporter | None:
    head = _source(subject)
    if head is None or head.pos_ == "PRON" or head.lower_ in ("it", "there"):
        return None
    toks = _trim(_phrase(head))
    if not toks:
        return None
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1])
    return Reporter(name=head.doc[toks[0].i : toks[-1].i + 1].text, start=start, end=end)


def find_reporter(sent: Span) -> Reporter | None:
    """The source the sentence attributes its statement to, or None."""
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < sent.end and tok.nbor().lower_ == "to":
            pobj = next((c for c in tok.nbor().children if c.dep_ == "pobj"), None)
            if pobj is not None:
                return _reporter(pobj)
    verbs = [t for t in sent if t.pos_ in ("VERB", "AUX") and (
        t.lemma_.lower() in SAYING_VERBS or t.lemma_.lower() in _SHOW)]
    for verb in sorted(verbs, key=lambda t: (_depth(t), t.i)):
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subject is None:
            continue
        if verb.lemma_.lower() in _SHOW and subject.lemma_.lower() not in _DOCUMENTS:
            continue
        found = _reporter(subject)
        if found is not None:
            return found
    return None


def _head_word(name: str) -> str:
    """The head noun of a name: the last word before its first preposition."""
    words = name.lower().split()
    cut = next((i for i, w in enumerate(words) if w in _NAME_PREPS and i > 0), len(words))
    return words[cut - 1] if cut else ""


def canonical_reporter(name: str, known: Iterable[str]) -> str:
    """Map a short later reference to a fuller name seen earlier in the same report.

    "the Observatory" -> "Syrian Observatory for Human Rights" (same head word, and every word
    of the short name in the full one); "the monitor", "the group" -> the latest multi-word name
    whose head is an organisation word ("observatory", "ministry", "watch", ...). The latest
    match wins; a name already known is returned as first written; otherwise `name` unchanged.
    """
    known = list(known)
    words = [w for w in name.lower().split() if w not in ("the", "a", "an", "this", "that")]
    short = " ".join(words)
    if not words:
        return name
    longer = [k for k in reversed(known) if k.lower() != short]
    head = _head_word(short)
    for full in longer:
        if _head_word(full) == head and all(w in full.lower().split() for w in words):
            return full
    if len(words) == 1 and words[0] in _GENERIC - _PEOPLE_WORDS:
        for full in longer:
            if len(full.split()) > 1 and _head_word(full) in _ORG_WORDS:
                return full
    return next((k for k in known if k.lower() == short), name)
