"""The fitted toll (sitrep.extract.tolls): candidates, features, the model file and its use in reconcile."""

from __future__ import annotations

import numpy as np
import pytest

from sitrep.codebook import load_codebook
from sitrep.extract import tolls
from sitrep.extract.figures import ONE_PERSON, SHOT
from sitrep.extract.reconcile import by_rule, reconcile, toll_candidates
from sitrep.records import Figure, Range


def fig(kind, value, scope=None, start=500, qualifier="exact", reported_by=None):
    return Figure(kind=kind, value=value, scope=scope, qualifier=qualifier, reported_by=reported_by, quote="q",
                  article_id="a1", start=start, end=start + 5)


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def cands(figures, kind, codebook):
    _, alone = by_rule(figures, kind, None, codebook)
    return {c.value: c.features for c in toll_candidates(figures, kind, None, codebook, alone)}


def test_candidates_are_zero_each_value_and_the_shot_less_the_dead(codebook):
    figures = [fig("injured", 5, SHOT, start=10), fig("killed", 2, start=40), fig("injured", 1, f"{ONE_PERSON}: a man")]
    found = cands(figures, "injured", codebook)
    assert set(found) == {0, 1, 3, 5}
    assert found[3]["shot_less_dead"] == 1.0 and found[3]["rule"] == 1.0  # "five people were shot, two fatally"
    assert found[5]["any_shot"] == 1.0 and found[5]["lead"] == 1.0
    assert found[0]["zero"] == 1.0 and found[0]["zero_other_kind"] == 1.0


def test_the_model_picks_the_best_scoring_candidate():
    names = ["rule", "n_toll"]
    cs = [tolls.Candidate(0, {"rule": 1.0}), tolls.Candidate(4, {"n_toll": 1.0})]
    assert tolls.TollModel(names, {"killed": np.array([1.0, 0.0])}).choose(cs, "killed") == 0
    assert tolls.TollModel(names, {"killed": np.array([0.0, 1.0])}).choose(cs, "killed") == 4


def test_weights_are_plain_arrays(tmp_path):
    model = tolls.TollModel(["a", "b"], {"killed": np.array([1.0, -2.0]), "injured": np.array([0.5, 0.0])})
    tolls.write_model(tmp_path / "t.npz", model)
    back = tolls.read_model(tmp_path / "t.npz")  # np.load with allow_pickle=False
    assert back.names == ["a", "b"] and np.allclose(back.weights["killed"], [1.0, -2.0])


def test_shipped_weights_read_the_features_candidates_write(codebook):
    model = tolls.shipped()
    assert model is not None, "src/sitrep/models/tolls.npz is missing: run make train-tolls"
    figures = [fig("injured", 5, SHOT), fig("killed", 2), fig("injured", 0, "nobody else"), fig("killed", 1, "perpetrators")]
    written = {n for kind in ("killed", "injured") for f in cands(figures, kind, codebook).values() for n in f}
    assert set(model.names) == written


def test_within_one_report_the_toll_told_in_the_lead_beats_a_vague_part(codebook):
    # "twelve people were wounded" (headline and lead) vs "at least two of the wounded are in surgery"
    figures = [fig("injured", 12, start=5), fig("injured", 12, start=120),
               fig("injured", 2, qualifier="at least", start=900, reported_by="police")]
    assert reconcile(figures, "injured", None, codebook).best == 12


def test_across_reports_the_rule_stands(codebook):
    older = fig("killed", 2)
    newer = fig("killed", 3).model_copy(update={"article_id": "a2"})
    import datetime as dt
    published = {"a1": dt.date(2024, 1, 1), "a2": dt.date(2024, 1, 2)}
    assert reconcile([older, newer], "killed", None, codebook, published=published) == Range(low=2, best=3, high=3)
