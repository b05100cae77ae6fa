"""Part of speech, morphology and lemmas, memoised: spaCy's attribute ruler and lemmatizer, run once per kind
of token instead of once per token.

Input: a Doc with tags and dependencies. Output: the same Doc with what `attribute_ruler` then `lemmatizer`
would have set (POS, MORPH, LEMMA, and TAG/DEP of whitespace), identical.

In `en_core_web_sm` the two cost about a fifth of the parse, almost all of it Python work per token (a Matcher
of 179 patterns, then a lemma look-up per token). Nearly every pattern reads only the token itself (its tag,
lower-cased form, dependency label, whether it is whitespace), so what they set is a function of the token's
(text, tag, dependency label): kept in a table, written with one `Doc.from_array`. The few patterns that read
a neighbour ("There are": VERB; "gon na") run as a small Matcher, and the tokens they match are redone with
the ruler's rules in the ruler's order. A Doc holding a kind of token not seen yet goes through the two
components themselves and teaches the table the kinds it holds.
"""

from __future__ import annotations

from collections import defaultdict

import numpy
from spacy.attrs import DEP, LEMMA, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

ATTRIBUTES = "sitrep_cached_attributes"
MAX_KINDS = 500_000  # the table is emptied when it holds more kinds of token than this (memory stays bounded)
_SET = [TAG, POS, MORPH, DEP, LEMMA]
_SELF_KEYS = frozenset({"TAG", "LOWER", "ORTH", "TEXT", "DEP", "IS_SPACE"})  # what (text, tag, dep) fixes

Match = tuple[int, int, int, int]  # the ruler's: (rule index, match id, start, end)
Key = tuple[int, int, int]  # a token's (text, tag, dependency label) hashes


class CachedAttributes:
    """`attribute_ruler` then `lemmatizer`, memoised by (text, tag, dependency label)."""

    def __init__(self, ruler, lemmatizer) -> None:
        self.ruler = ruler
        self.lemmatizer = lemmatizer
        self.context = Matcher(ruler.vocab)  # the ruler's patterns that read more than the token itself
        for k, rule in enumerate(ruler.patterns):  # the ruler keys rule k "k" (AttributeRuler.add)
            for pattern in rule["patterns"]:
                if len(pattern) > 1 or any(key not in _SELF_KEYS for token in pattern for key in token):
                    self.context.add(str(k), [pattern])
        self.values: dict[Key, tuple[int, ...]] = {}  # what the two components set on a token of this kind
        self.rules: dict[Key, tuple[tuple[int, int], ...]] = {}  # the (rule, match id) of its one-token matches

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        keys: list[Key] = [tuple(row) for row in doc.to_array([ORTH, TAG, DEP]).tolist()]
        context = self._matches(self.context(doc)) if len(self.context) else []  # before anything changes
        if any(key not in self.values for key in keys):
            self._learn(doc, keys, context)
            return doc
        doc.from_array(_SET, numpy.array([self.values[key] for key in keys], dtype=numpy.uint64))
        targets: dict[int, list[Match]] = defaultdict(list)
        for match in context:
            targets[self._target(doc, match)].append(match)
        for i, matches in targets.items():
            self._redo(doc, i, keys[i], matches)
        return doc

    def _matches(self, found) -> list[Match]:
        strings = self.ruler.vocab.strings
        return sorted((int(strings[m_id]), m_id, start, end) for m_id, start, end in found)

    def _target(self, doc: Doc, match: Match) -> int:
        rule, _, start, end = match
        return Span(doc, start, end)[self.ruler.indices[rule]].i

    def _learn(self, doc: Doc, keys: list[Key], context: list[Match]) -> None:
        """Run the two components on the Doc and keep what they set on each token no context rule touched."""
        matches = self.ruler.match(doc)
        self.ruler.set_annotations(doc, matches)
        self.lemmatizer(doc)
        contextual = {rule for rule, *_ in context}
        rules: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for rule, m_id, start, end in matches:
            if end - start == 1 and rule not in contextual:
                rules[start].append((rule, m_id))
        touched = {self._target(doc, match) for match in context}
        if len(self.values) > MAX_KINDS:
            self.values.clear()
            self.rules.clear()
        for i, (key, row) in enumerate(zip(keys, doc.to_array(_SET).tolist())):
            if i not in touched:
                self.values[key] = tuple(row)
                self.rules[key] = tuple(rules[i])

    def _redo(self, doc: Doc, i: int, key: Key, context: list[Match]) -> None:
        """Token i as the two components leave it when context rules match it: its own rules and those,
        in the ruler's order, from the state the parse left it in, then its lemma."""
        token = doc[i]
        token.pos, token.lemma = 0, 0
        token.set_morph(None)
        token.tag, token.dep = key[1], key[2]
        own = [(rule, m_id, i, i + 1) for rule, m_id in self.rules[key]]
        self.ruler.set_annotations(doc, sorted(own + context))
        if token.lemma == 0:
            token.lemma_ = self.lemmatizer.lemmatize(token)[0]


@Language.factory(ATTRIBUTES)
def make_cached_attributes(nlp: Language, name: str) -> CachedAttributes:
    """Built from the pipeline's own `attribute_ruler` and `lemmatizer` (`use_cached_attributes`)."""
    return CachedAttributes(nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer"))


def use_cached_attributes(nlp: Language) -> None:
    """Put `CachedAttributes` in place of the pipeline's attribute ruler and lemmatizer (when it has both)."""
    if ATTRIBUTES in nlp.pipe_names or not {"attribute_ruler", "lemmatizer"} <= set(nlp.pipe_names):
        return
    names = nlp.pipe_names
    nlp.add_pipe(ATTRIBUTES, after=names[names.index("attribute_ruler") - 1])
    nlp.remove_pipe("attribute_ruler")
    nlp.remove_pipe("lemmatizer")
