"""The model report (../shared/seeds/000_f2e83a11a1caa2f0.txt) coded into a ledger, as `sitrep ingest
--published 2016-05-24` stores it. Tests that use it skip cleanly when ../shared is not beside the checkout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sitrep.ingest import read_articles
from sitrep.records import Article
from sitrep.store.ledger import Ledger

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_f2e83a11a1caa2f0.txt"
PUBLISHED = dt.date(2016, 5, 24)

needs_seed = pytest.mark.skipif(not SEED.exists(), reason=f"no model report at {SEED}")


def model_report_ledger(pipeline, url: str) -> Ledger:
    """A ledger at `url` holding the model report, coded by `pipeline` (the session fixture)."""
    ledger = Ledger(url)
    for article in read_articles([SEED], published=PUBLISHED):
        assert isinstance(article, Article), article
        ledger.add(article, pipeline.extract(article))
    return ledger
