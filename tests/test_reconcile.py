"""The reconciliation rule: an incident's killed/injured low, best and high (sitrep.extract.reconcile).

`victims` is the rule alone; `reconcile` adds the attackers and, within one report, lets the fitted toll
(`tests/test_tolls.py`) choose the best value."""

from __future__ import annotations

import pytest

from sitrep.codebook import load_codebook
from sitrep.extract.figures import (
    ALL_DEAD, ANOTHER_PERSON, DIED_OF_WOUNDS, NO_NUMBER, NOBODY_ELSE, ONE_PERSON, OWN_HAND, PERP_IN_TOLL, SHOT,
    SUICIDE,
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


def at(kind, value, scope=None, start=0, article="a1", quote=None):
    """A figure at `start`, in a sentence of its own unless `quote` names the one it shares."""
    return Figure(kind=kind, value=value, scope=scope, quote=quote or f"sentence at {start}", article_id=article,
                  start=start, end=start + 10)


def test_the_wounded_who_died_later_leave_the_wounded(codebook):
    # "Three men were wounded ... One of them later died"
    figures = [at("injured", 3, start=0), at("killed", 1, DIED_OF_WOUNDS, start=50)]
    assert victims(figures, "injured", None, codebook) == Range(low=2, best=2, high=2)
    assert victims(figures, "killed", None, codebook) == Range(low=1, best=1, high=1)
    # another toll counts more dead than those: which of them were among the wounded is not told
    assert victims([*figures, at("killed", 2, start=20)], "injured", None, codebook).best == 3
    # a death told before the wounded are counted is not one of them
    told_before = [at("killed", 1, DIED_OF_WOUNDS, start=0), at("injured", 3, start=50)]
    assert victims(told_before, "injured", None, codebook).best == 3
    # ... unless the death is told out of that count ("One of the five people hospitalized has died ...
    # Five people were hospitalized after the shooting"): the group is the count before the death
    group = "One of the five people hospitalized has died."
    told_out_of = [at("killed", 1, DIED_OF_WOUNDS, start=0, quote=group), at("injured", 5, start=12, quote=group),
                   at("injured", 5, start=200)]
    assert victims(told_out_of, "injured", None, codebook).best == 4


def test_a_later_report_that_a_wounded_victim_died_moves_him_to_the_dead(codebook):
    import datetime as dt

    figures = [at("injured", 2, article="first", start=100), at("killed", 1, DIED_OF_WOUNDS, article="next")]
    published = {"first": dt.date(2024, 1, 1), "next": dt.date(2024, 1, 3)}
    assert reconcile(figures, "injured", None, codebook, published=published).best == 1
    assert reconcile(figures, "killed", None, codebook, published=published).best == 1


def test_people_told_one_by_one_are_counted_when_they_differ(codebook):
    # "A 23-year-old man was wounded in the leg ... A 19-year-old woman was grazed in the arm"
    man = at("injured", 1, f"{ONE_PERSON}: A 23-year-old man", start=0)
    woman = at("injured", 1, f"{ONE_PERSON}: A 19-year-old woman", start=60)
    assert victims([man, woman], "injured", None, codebook).best == 2
    # the same person told twice ("a man ... the 23-year-old ... he") is one
    again = at("injured", 1, f"{ONE_PERSON}: the 23-year-old", start=90)
    he = at("injured", 1, f"{ONE_PERSON}: he", start=120)
    assert victims([man, again, he], "injured", None, codebook).best == 1


def test_a_wounded_person_unlike_the_dead_is_another_victim(codebook):
    dead = at("killed", 1, f"{ONE_PERSON}: a 17-year-old boy", start=0)
    # "a woman was wounded": not the boy who died
    woman = at("injured", 1, f"{ONE_PERSON}: a woman", start=50)
    assert victims([dead, woman], "injured", None, codebook).best == 1
    # "the teen was shot": the boy who died (one shot, one dead: nobody wounded)
    teen = at("injured", 1, SHOT, start=50).model_copy(update={"quote": "the teen was shot"})
    assert victims([dead, teen], "injured", None, codebook).best == 0
    # the dead told one by one are not added up: such rows are most often one victim told again
    girl = at("killed", 1, f"{ONE_PERSON}: a 15-year-old girl", start=80)
    assert victims([dead, girl], "killed", None, codebook).best == 1


def test_wounded_counted_as_others_leave_the_dead_out_already(codebook):
    # "one man dead and three others injured ... One of them, Delonta Hendrix, died": the three are alive
    others = at("injured", 3, start=0).model_copy(update={"quote": "the shooting also injured three others"})
    assert victims([others, at("killed", 1, DIED_OF_WOUNDS, start=50)], "injured", None, codebook).best == 3
