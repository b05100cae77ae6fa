"""The reconciliation rule: an incident's killed/injured low, best and high (sitrep.extract.reconcile).

`victims` is the rule alone; `reconcile` adds the attackers and, within one report, lets the fitted toll
(`tests/test_tolls.py`) choose the best value."""

from __future__ import annotations

import pytest

from sitrep.codebook import load_codebook
from sitrep.extract.figures import (
    ALL_DEAD, ANOTHER_PERSON, NO_NUMBER, NOBODY_ELSE, ONE_PERSON, OWN_HAND, PERP_IN_TOLL, SHOT, SUICIDE,
)
from sitrep.extract.reconcile import attackers, perpetrator_suicide, reconcile, victims
from sitrep.records import Figure, Range


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def fig(kind, value, scope=None, reported_by=None, article="a1"):
    return Figure(kind=kind, value=value, scope=scope, reported_by=reported_by, quote="q",
                  article_id=article, start=0, end=1)


def test_conflicting_tolls_low_best_high(codebook):
    figures = [fig("killed", 12, reported_by="police"), fig("killed", 15, reported_by="witnesses")]
    assert reconcile(figures, "killed", None, codebook) == Range(low=12, best=12, high=15)


def test_subsets_do_not_count_and_attackers_killed_are_added(codebook):
    figures = [fig("killed", 8), fig("killed", 3, scope="subset: 3 children")]
    assert reconcile(figures, "killed", None, codebook) == Range(low=8, best=8, high=8)
    # "the gunman was shot dead by police": the toll counts him, as the archive and ACLED do
    figures.append(fig("killed", 1, scope="perpetrators"))
    assert victims(figures, "killed", None, codebook) == Range(low=8, best=8, high=8)
    assert reconcile(figures, "killed", None, codebook) == Range(low=9, best=9, high=9)
    assert attackers(figures, "killed") == 1
    # a toll that counts him already ("three are dead in a murder-suicide")
    assert attackers([*figures, fig("killed", 1, scope=PERP_IN_TOLL)], "killed") == 0
    # the attacker alone
    assert reconcile([fig("killed", 1, scope="perpetrators")], "killed", None, codebook).best == 1


def test_one_person_fills_in_when_no_number_counts(codebook):
    assert reconcile([fig("killed", 1, f"{ONE_PERSON}: a man")], "killed", None, codebook) == Range(
        low=1, best=1, high=1)
    # a number counts the incident whole: the single victim is one of them
    figures = [fig("killed", 1, f"{ONE_PERSON}: a man"), fig("killed", 3)]
    assert reconcile(figures, "killed", None, codebook).best == 3


def test_people_shot_less_the_dead_are_the_injured(codebook):
    figures = [fig("injured", 4, SHOT), fig("killed", 1)]
    assert reconcile(figures, "injured", None, codebook) == Range(low=3, best=3, high=3)
    # a figure of the injured alone wins over the people shot
    assert reconcile([*figures, fig("injured", 2)], "injured", None, codebook).best == 2


def test_a_wounded_person_in_a_report_of_a_death_is_the_one_who_died(codebook):
    figures = [fig("injured", 1, f"{ONE_PERSON}: the boy"), fig("killed", 1, f"{ONE_PERSON}: the boy")]
    assert victims(figures, "injured", None, codebook) is None
    figures[0] = fig("injured", 1, f"{ANOTHER_PERSON}: her father")
    assert victims(figures, "injured", None, codebook).best == 1


def test_an_ordinal_victim_among_the_dead_is_not_another(codebook):
    fifth = fig("injured", 1, f"{ANOTHER_PERSON}: a fifth man")
    assert victims([fifth, fig("killed", 4)], "injured", None, codebook).best == 1
    assert victims([fifth, fig("killed", 5)], "injured", None, codebook) is None


def test_a_body_count_leaves_out_the_perpetrators_suicide(codebook):
    figures = [fig("killed", 3, ALL_DEAD), fig("killed", 1, SUICIDE)]
    assert victims(figures, "killed", None, codebook) == Range(low=2, best=2, high=2)
    assert reconcile(figures, "killed", None, codebook) == Range(low=3, best=3, high=3)  # him again
    # without a suicide the body count is the toll
    assert reconcile([fig("killed", 3, ALL_DEAD)], "killed", None, codebook).best == 3


def test_a_death_by_own_hand_beside_victims_is_the_perpetrators_suicide(codebook):
    alone = [fig("killed", 1, OWN_HAND)]
    assert not perpetrator_suicide(alone)
    assert reconcile(alone, "killed", None, codebook).best == 1  # a lone death: the victim
    figures = [fig("killed", 3, ALL_DEAD), fig("killed", 1, OWN_HAND)]
    assert perpetrator_suicide(figures)
    assert victims(figures, "killed", None, codebook).best == 2
    assert reconcile(figures, "killed", None, codebook).best == 3
    # "boy shoots himself" and "the boy died": one person told twice
    assert not perpetrator_suicide([fig("killed", 1, f"{ONE_PERSON}: the boy"), fig("killed", 1, OWN_HAND)])


def test_most_recent_report_then_most_authoritative(codebook):
    figures = [fig("killed", 10, reported_by="police", article="old"),
               fig("killed", 14, reported_by="residents", article="new"),
               fig("killed", 12, reported_by="ministry", article="new")]
    import datetime as dt
    published = {"old": dt.date(2024, 1, 1), "new": dt.date(2024, 1, 2)}
    assert reconcile(figures, "killed", None, codebook, published=published) == Range(low=10, best=12, high=14)


def test_an_ordinal_victim_raises_the_toll(codebook):
    from sitrep.extract.figures import ANOTHER_PERSON

    figures = [fig("killed", 2, scope="all the dead"), fig("killed", 1, scope=f"{ANOTHER_PERSON}: the third person")]
    assert reconcile(figures, "killed", None, codebook).best == 3


def test_nobody_else_is_zero_only_when_nothing_else_counts(codebook):
    unhurt = fig("injured", 0, NOBODY_ELSE)  # "no one else was hurt", "his wife escaped unharmed"
    assert reconcile([unhurt], "injured", None, codebook) == Range(low=0, best=0, high=0)
    assert reconcile([unhurt, fig("injured", 1, SHOT)], "injured", None, codebook).best == 1
    assert reconcile([unhurt, fig("injured", 2)], "injured", None, codebook).best == 2


def test_a_word_that_names_no_number_is_no_toll(codebook):
    assert reconcile([fig("injured", 3, NO_NUMBER)], "injured", None, codebook) is None  # "several"
