"""Types that hold on news style (issue 17): wire leads, captions, inventories of finds, territory, bases,
protests that turn violent, a generic attack word beside a specific weapon (invented sentences)."""

from __future__ import annotations

import pytest


def _type(pipeline, text: str) -> str:
    [typing] = pipeline.type_descriptions([text])
    return typing.sub_event_type


@pytest.mark.parametrize("text, expected", [
    # weapons finds written as inventories; weapons taken from people arrested are part of the arrest
    ("Police seized 14 rifles and 300 bullets in a search of a farm near Kaduna on Tuesday.", "Disrupted weapons use"),
    ("Soldiers destroyed 40 mines and 12 improvised explosive devices during the operation.", "Disrupted weapons use"),
    ("Two pistols were discovered by customs officers in a truck at the border post.", "Disrupted weapons use"),
    ("Police arrested two smugglers in Arica and seized a pistol from one of them.", "Arrests"),
    # territory taken or freed, by whom
    ("Government troops captured the port of Hodeidah on Monday after a week of fighting.", "Government regains territory"),
    ("The army drove the rebels out of the village of Kunda on Sunday.", "Government regains territory"),
    ("Army units have seized control of the town of Bama, the defence ministry said.", "Government regains territory"),
    # bases, posts and checkpoints set up
    ("Turkish forces set up a new military checkpoint near the town of Tal Tamr.", "Headquarters or base established"),
    ("The army has established twelve observation points along the border.", "Headquarters or base established"),
    # protests that turn violent, captions in the present tense, protests met with force
    ("A protester throws a Molotov cocktail at riot police during a demonstration in Santiago, Friday.", "Violent demonstration"),
    ("Protests against the election result turned violent in the capital on Thursday.", "Violent demonstration"),
    ("Police suppressed a peaceful demonstration by teachers in front of the ministry.", "Protest with intervention"),
    ("Police fired tear gas at shoppers in the market district on Sunday.", "Protest with intervention"),
    ("Five people were injured after security forces violently dispersed a protest in Nador.", "Excessive force against protesters"),
    # protesters occupying a building: an occupation, a sit-in
    ("Protesters have occupied the town hall of Volos since Monday.", "Peaceful protest"),
    ("Hundreds of demonstrators took over the ministry's offices in the capital on Tuesday.", "Peaceful protest"),
    # a generic attack word beside a specific weapon
    ("Rebels attacked the town of Saraqib with poisonous gas on Tuesday.", "Chemical weapon"),
    ("Militants detonated a suicide vehicle-borne IED at the gate of the hotel.", "Suicide bomb"),
    ("Four soldiers were killed when their truck hit a mine on the road to Kidal.", "Remote explosive/landmine/IED"),
    ("A rocket-propelled grenade struck the checkpoint, wounding two guards.", "Shelling/artillery/missile attack"),
    ("Fighters attacked an army base outside Afgoye on Friday night.", "Armed clash"),
    # handgun shootings are never shelling; a gun going off is no bomb
    ("A man was shot dead outside a bar in Tulsa. Police found several shell casings at the scene.", "Attack"),
    ("The gun went off accidentally, killing his brother at their home in Tulsa.", "Attack"),
    ("Police said the shooter fired at the crowd, then fled in a car.", "Attack"),
    ("The gunman loaded a shell into the shotgun's chamber and shot the manager in the hip.", "Attack"),
    # an explosion of rioting is rioting, not a bomb
    ("An explosion of rioting followed the funeral, and youths hurled rocks at police in Patras.",
     "Violent demonstration"),
    # who carries a bomb away from where it was found sets off none: "police" are no air force
    ("A bomb exploded at a bank in Salem, killing two officers. The officers had taken the bomb inside.",
     "Remote explosive/landmine/IED"),
])
def test_news_style_types(pipeline, text, expected):
    assert _type(pipeline, text) == expected


def test_a_journey_back_is_no_territory_retaken(pipeline):
    text = "Gunmen kidnapped 17 missionaries as they drove back from an orphanage near the capital."
    assert _type(pipeline, text) == "Abduction/forced disappearance"


def test_people_fleeing_are_displaced_but_an_attacker_fleeing_is_not(pipeline):
    assert _type(pipeline, "Thousands of residents fled the town after jihadists threatened to attack it.") == "Other"
    assert _type(pipeline, "Gunmen shot two guards at the bank, then fled on motorcycles.") != "Other"
