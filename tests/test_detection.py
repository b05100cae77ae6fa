"""Knowing what is not an incident: cue detection, modality and grouping rules (invented sentences)."""

from __future__ import annotations

import pytest

from sitrep.records import Article


def _cues(pipeline, text: str) -> list[str]:
    return [c.text.lower() for c in pipeline.mentions.cues(pipeline.nlp(text))]


def test_a_month_next_to_a_day_number_is_a_date_not_a_march(pipeline):
    assert "march" not in _cues(pipeline, "the 19 march elections passed calmly in the capital.")
    assert "march" not in _cues(pipeline, "voters went to the polls on march 19 in the north.")
    assert "march" in _cues(pipeline, "Thousands march in Lome to demand reforms.")


@pytest.mark.parametrize("text", [
    "The rebels demanded an end to the kidnappings of farmers in the north.",
    "Stop the bombings of our villages, the chief told the air force.",
    "We ask the government to cease the attacks on our newspapers and stop using landmines.",
])
def test_violence_asked_to_stop_is_not_an_incident(pipeline, text):
    result = pipeline.extract(Article.from_text(text))
    assert result.incidents == []
    assert any(e.reason == "hypothetical" and "stop" in e.detail for e in result.excluded), result.excluded


@pytest.mark.parametrize("text", [
    "Police intervened and stopped the march in Cotonou.",  # the march happened; the police ended it
    "The shooting in the market stopped after two hours, police said.",  # the shooting is the subject
])
def test_an_act_that_was_stopped_still_happened(pipeline, text):
    mentions = pipeline.mentions(pipeline.nlp(text), None)
    assert mentions and not any(m.modality == "hypothetical" for m in mentions)


def test_a_named_victim_of_a_named_act_is_an_incident_without_a_place(pipeline):
    [incident] = pipeline.extract(Article.from_text("Senator Pedro Alvarez was assassinated, the government said.")).incidents
    assert incident.victims == ["Pedro Alvarez"] and incident.location is None


def test_a_person_near_a_weapon_word_is_not_a_victim_of_an_incident(pipeline):
    result = pipeline.extract(Article.from_text("Carlos Mendez was an expert in explosives."))
    assert result.incidents == []


def test_a_target_struck_by_a_named_weapon_is_an_incident_without_a_place(pipeline):
    result = pipeline.extract(Article.from_text("A bomb exploded at the offices of the farmers' cooperative early today."))
    assert len(result.incidents) == 1 and result.incidents[0].weapons



@pytest.mark.parametrize("text, hypothetical", [
    ("Officials said the mayor may have been murdered by the rebels.", False),  # a guess about a past event
    ("The bombs would have killed dozens had they exploded.", True),  # what did not happen
])
def test_a_guess_about_a_past_act_is_not_a_plan(pipeline, text, hypothetical):
    mentions = pipeline.mentions(pipeline.nlp(text), None)
    assert mentions and any(m.modality == "hypothetical" for m in mentions) == hypothetical


@pytest.mark.parametrize("text, reason", [
    ("The rebels have killed many farmers in Mopti and they want to rule the valley.", "aggregate"),  # a running toll
    ("Traders in Mopti spoke of the constant attacks by armed bands.", "no details"),  # a pattern, not an event
    ("Mayors in Mopti are concerned about the kidnappings of officials and their murdered colleagues.", "reaction"),
])
def test_tolls_patterns_and_concerns_are_not_incidents(pipeline, text, reason):
    mentions = pipeline.mentions(pipeline.nlp(text), None)
    assert mentions and all(m.modality == reason for m in mentions), [(m.modality, m.modality_detail) for m in mentions]


def test_a_dated_or_counted_raid_is_an_incident_even_if_raids_are_frequent(pipeline):
    text = "Gunmen killed four villagers in a raid on Mopti on Tuesday, the latest of frequent raids."
    assert len(pipeline.extract(Article.from_text(text)).incidents) == 1


@pytest.mark.parametrize("text, incidents", [
    ("A cargo plane crashed near Goma on Sunday and the three crew members were killed.", 0),
    ("A cargo plane was shot down near Goma on Sunday and the three crew members were killed.", 1),
])
def test_a_crash_is_no_incident_unless_something_brought_it_down(pipeline, text, incidents):
    assert len(pipeline.extract(Article.from_text(text)).incidents) == incidents


@pytest.mark.parametrize("text, fire", [
    ("The fired clerk was arraigned on Wednesday.", False),
    ("She had been fired last week as a cashier at the store.", False),
    ("The manager was fired from his job on Monday.", False),
    ("The company fired him in March.", False),
    ("Shots were fired at the house on Monday.", True),
    ("Troops fired on protesters on Friday.", True),
    ("He fired in the air.", True),
])
def test_a_job_lost_is_no_gunfire(pipeline, text, fire):
    assert any(c.startswith("fire") for c in _cues(pipeline, text)) is fire
