"""What is no incident (issue 17): harm that no one inflicts, and past incidents told again (invented reports)."""

from __future__ import annotations

import datetime as dt

import pytest

from sitrep.records import Article


def _extract(pipeline, text: str, published: dt.date | None = None):
    return pipeline.extract(Article.from_text(text, published=published))


@pytest.mark.parametrize("text", [
    "An earthquake of magnitude 6.1 killed at least six people in the town of Bam on Sunday.",
    "Floods killed 12 people in Sylhet on Tuesday, officials said.",
    "The former minister died of cancer in Nairobi on Monday, his family said.",
    "The actress died peacefully in her sleep at her home in Los Angeles on Thursday.",
    "Two hikers died after falling from a ridge near Chamonix on Saturday.",
    "A man killed himself at his home in Leeds on Friday, police said.",
    "A fire destroyed a warehouse in Lagos on Sunday. Firefighters fought the blaze for hours.",
    "Two people died in Kidal on Monday, relatives said.",
    "Eight patients died of an unidentified disease at the hospital in Maracay last week.",
])
def test_harm_without_a_violent_act_by_anyone_is_no_incident(pipeline, text):
    result = _extract(pipeline, text)
    assert result.incidents == [], [(i.sub_event_type, i.killed) for i in result.incidents]
    assert any(e.reason == "not violence" for e in result.excluded), result.excluded


@pytest.mark.parametrize("text", [
    "A man shot his wife and then killed himself at their home in Leeds on Friday, police said.",
    "Arsonists set fire to a warehouse in Lagos on Sunday.",
    "Three people were killed in Kidal on Monday.",  # a passive "killed": someone killed them
    "Two hunters were killed in a hunting accident near Eau Claire, Wisconsin, on Saturday.",  # harm by a gun
    "A 3-year-old girl killed herself with a loaded gun she found in a bedroom in Lemoore on Sunday.",
    "Gunmen killed six villagers in Bam on Sunday, hours after an earthquake shook the region.",
    # a person of no actor class, or "he", as the one who kills
    "A retired plumber killed his neighbor and the neighbor's son in Joplin on Sunday, police said.",
    "He shot and killed his girlfriend in their Joplin apartment on Sunday before killing himself, police said.",
    # what the suspect did, told in a relative clause of the search for him
    "Police in Joplin are searching for the gunman who shot three people outside a bar on Sunday.",
])
def test_a_violent_act_or_harm_by_a_gun_is_an_incident(pipeline, text):
    assert len(_extract(pipeline, text).incidents) == 1


def test_a_heart_attack_is_no_attack(pipeline):
    result = _extract(pipeline, "The mayor of Kano died of a heart attack on Monday.")
    assert result.incidents == []
    assert any(e.reason == "not violence" and "heart attack" in e.detail for e in result.excluded), result.excluded


@pytest.mark.parametrize("text", [
    "A court in Lyon on Tuesday sentenced a man to life in prison for the murder of his neighbour. "
    "He stabbed the neighbour to death outside their building in Lyon.",
    "Trial begins for man accused of Kano market bombing\nThe bomb killed 30 people at the market in Kano.",
    "Ten years after the bombing of the market in Kano, survivors gathered to pray. "
    "The bomb killed 30 people at the market in Kano.",
    "Jurors recommended on Monday that the killer be executed. He shot a police officer dead in Tulsa.",
])
def test_an_incident_told_again_in_a_report_about_a_trial_or_an_anniversary_is_historical(pipeline, text):
    result = _extract(pipeline, text)
    assert result.incidents == [], [(i.sub_event_type, i.location and i.location.name) for i in result.incidents]
    assert any(e.reason == "historical" for e in result.excluded), result.excluded


def test_a_report_about_a_trial_keeps_an_incident_dated_within_the_news_window(pipeline):
    text = ("Trial of Kano market bomber opens\nOn Friday a bomb killed 4 people at the bus station in Kano, "
            "police said.")
    [incident] = _extract(pipeline, text, dt.date(2020, 5, 11)).incidents
    assert incident.date == dt.date(2020, 5, 8)


def test_an_arrest_and_a_charge_are_news_not_a_trial(pipeline):
    text = "Man charged in Tulsa shooting\nPolice said a man shot two people dead outside a bar in Tulsa."
    assert len(_extract(pipeline, text).incidents) == 1


def test_an_earlier_attack_dated_only_by_its_year_is_background(pipeline):
    text = ("A worker shot two colleagues dead at a bakery in Trenton on Thursday, police said. Earlier this "
            "year, a lecturer killed three professors at a campus in Huntsville.")
    result = _extract(pipeline, text, dt.date(2010, 9, 10))
    assert [i.location.name for i in result.incidents] == ["Trenton"]
    assert any(e.reason == "historical" and "Huntsville" in e.text for e in result.excluded), result.excluded


@pytest.mark.parametrize("text", [
    "He was murdered by gunmen in Lagos in 2010.",  # no publication date: a bare year is background
    "Her son, an army captain who was killed in a 2004 car bombing in Iraq, was 27.",
])
def test_an_event_named_by_its_year_is_historical(pipeline, text):
    result = _extract(pipeline, text)
    assert result.incidents == []
    assert any(e.reason == "historical" for e in result.excluded), result.excluded


def test_a_count_of_attacks_is_no_anniversary(pipeline):
    result = _extract(pipeline, "The suicide bombing at the airport in Ankara marked the eighth this year.")
    assert [i.sub_event_type for i in result.incidents] == ["Suicide bomb"]


def test_an_anniversary_of_something_else_leaves_the_attack_an_event(pipeline):
    text = ("Gunmen attacked the mayor's convoy in Kano on Monday during a parade celebrating the 50th "
            "anniversary of the city's founding.")
    assert len(_extract(pipeline, text, dt.date(2020, 5, 12)).incidents) == 1


def test_a_participle_whose_were_is_left_out_has_its_subject_as_patient(pipeline):
    doc = pipeline.nlp("Several houses were damaged and two villagers slightly injured, the governor said.")
    [injure] = [p for p in pipeline.mentions.frames(list(doc.sents)[0], 0) if p.act == "injure"]
    assert "villagers" in injure.patient_words and injure.agents == ["unknown"]


@pytest.mark.parametrize("text", [
    "There were four shootings in the city over the weekend, police said.",
    "A spate of shootings killed five people in the north of the city this month.",
    "A string of attacks on police posts has unsettled the province since the spring.",
])
def test_a_roundup_of_several_incidents_is_not_one(pipeline, text):
    result = _extract(pipeline, text, dt.date(2024, 6, 3))
    assert result.incidents == [], [(i.sub_event_type, i.killed) for i in result.incidents]
    assert any(e.reason == "aggregate" for e in result.excluded), result.excluded


def test_the_toll_told_in_a_participle_after_a_series_is_the_series(pipeline):
    doc = pipeline.parse("The country has been on alert since the militant group launched a series of attacks "
                         "across the capital, killing 13 people and wounding dozens.")
    mentions, _ = pipeline.mentions.find(doc, dt.date(2024, 6, 3), None, None)
    assert [m.modality for m in mentions] == ["aggregate", "aggregate"]
    doc = pipeline.parse("The militants launched an attack on the base in Kano on Friday, killing 12 soldiers.")
    mentions, _ = pipeline.mentions.find(doc, dt.date(2024, 6, 3), None, None)
    assert [m.modality for m in mentions] == [None]


@pytest.mark.parametrize("text", [
    "Seven near-simultaneous explosions hit bus stations in Jableh on Monday, killing 40 people.",
    "Two explosions rocked a market in Maiduguri on Friday, killing 12 people, police said.",
])
def test_the_parts_of_one_attack_are_one_incident(pipeline, text):
    result = _extract(pipeline, text, dt.date(2024, 6, 3))
    assert len(result.incidents) == 1, result.excluded


@pytest.mark.parametrize("text", [
    "Soldiers seized two AK-47 rifles and a rocket-propelled grenade launcher in Kaduna on Monday.",
    "Police found two car bombs and a cache of hand grenades in a house in Mosul on Sunday.",
])
def test_an_inventory_of_weapons_found_is_no_attack_with_them(pipeline, text):
    result = _extract(pipeline, text, dt.date(2024, 6, 3))
    types = {i.sub_event_type for i in result.incidents}
    assert not types & {"Grenade", "Remote explosive/landmine/IED", "Shelling/artillery/missile attack",
                        "Suicide bomb", "Air/drone strike"}, types


@pytest.mark.parametrize("text", [
    "The coast guard says it has detained 31 smugglers who tried to board a tanker off the coast.",
    "Security forces arrested 12 suspected militants in a dawn raid, the interior ministry said.",
])
def test_a_count_of_people_arrested_is_detail_enough_without_a_place(pipeline, text):
    [incident] = _extract(pipeline, text).incidents
    assert incident.sub_event_type == "Arrests"
    assert [f.value for f in incident.figures if f.kind == "arrested"] in ([31], [12])


def test_an_arrest_with_no_count_and_no_place_is_still_no_detail(pipeline):
    result = _extract(pipeline, "The navy said it had arrested pirates who tried to storm a ship.")
    assert result.incidents == []
    assert any(e.reason == "no details" for e in result.excluded), result.excluded


@pytest.mark.parametrize("text", [
    "Gunmen killed five traders at a market in Kano on Tuesday. The attack comes two months after gunmen killed "
    "12 people at a market in Maiduguri.",
    "Gunmen killed five traders at a market in Kano on Tuesday. Tuesday's attack came just weeks after a man "
    "fatally shot eight people in Maiduguri, then himself.",
])
def test_an_earlier_attack_the_report_compares_its_own_with_is_historical(pipeline, text):
    result = _extract(pipeline, text, dt.date(2024, 6, 5))
    assert [(i.location.name, i.killed.best) for i in result.incidents] == [("Kano", 5)]
    assert any(e.reason == "historical" and "compares" in e.detail for e in result.excluded), result.excluded


def test_an_attack_that_came_after_another_act_of_the_same_day_is_not_compared(pipeline):
    text = "The blast came after gunmen opened fire on worshippers at a mosque in Kano on Friday, killing four."
    result = _extract(pipeline, text, dt.date(2024, 6, 8))
    assert [i.location.name for i in result.incidents] == ["Kano"]
