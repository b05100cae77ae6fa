"""Casualty figures in one parsed sentence (sitrep.extract.figures)."""

from __future__ import annotations

import pytest

from sitrep.extract.figures import ALL_DEAD, DIED_OF_WOUNDS, PERP_IN_TOLL, SHOT, SUICIDE, find_figures


@pytest.fixture(scope="module")
def figures(nlp_base):
    def run(text: str) -> list[tuple]:
        doc = nlp_base(text)
        out = []
        for f in find_figures(doc[:]):
            assert doc.text[f.start:f.end] == f.text
            flags = "".join(c for c, on in (("S", f.subset), ("P", f.perpetrators),
                                             ("A", f.aggregate)) if on)
            out.append((f.kind, f.value, f.qualifier) + ((flags,) if flags else ()))
        return out
    return run


@pytest.mark.parametrize(("text", "expected"), [
    ("More than 75 people died yesterday in car bombings.", [("killed", 75, "more than")]),
    ("A hundred people died in Baniyas and another 31 in Hama, among them "
     "women, said the monitor.", [("killed", 100, "exact"), ("killed", 31, "exact")]),
    ("The attack killed 3 and wounded 12.", [("killed", 3, "exact"), ("injured", 12, "exact")]),
    ("3 people were killed and 12 injured in the blast.",
     [("killed", 3, "exact"), ("injured", 12, "exact")]),
    ("The death toll rose to 20, officials said.", [("killed", 20, "exact")]),
    ("The bombing, killing at least 12, was the worst this year.", [("killed", 12, "at least")]),
    ("The explosion left 5 dead.", [("killed", 5, "exact")]),
    ("12 dead as gunmen storm hotel.", [("killed", 12, "exact")]),
    ("Less than 10 people died.", [("killed", 10, "less than")]),
    ("Nearly 200 people were hospitalised.", [("injured", 200, "about")]),
    ("Up to 40 people were hurt.", [("injured", 40, "up to")]),
    ("1,200 people were killed, the ministry said.", [("killed", 1200, "exact")]),
    ("twenty-five people were killed and one hundred and twenty wounded.",
     [("killed", 25, "exact"), ("injured", 120, "exact")]),
    ("At least 12 people have been killed and more than 30 injured.",
     [("killed", 12, "at least"), ("injured", 30, "more than")]),
    ("The death toll has risen to 75, the monitor said.", [("killed", 75, "exact")]),
    ("the number of wounded reached 40.", [("injured", 40, "exact")]),
    ("The fire claimed the lives of 20 people.", [("killed", 20, "exact")]),
    ("the bodies of 3 peasants were found.", [("killed", 3, "exact")]),
    ("Two people were found dead.", [("killed", 2, "exact")]),
    ("A 22-year-old student was shot dead on Tuesday.", [("killed", 1, "exact")]),
    ("Rebels killed a policeman.", [("killed", 1, "exact")]),
    ("20 people remain missing after the attack.", [("missing", 20, "exact")]),
    ("Five foreigners were taken hostage.", [("kidnapped", 5, "exact")]),
    ("gunmen kidnapped 3 engineers and seized 2 trucks.", [("kidnapped", 3, "exact")]),
    ("Police arrested 12 suspects and detained 3 others.",
     [("arrested", 12, "exact"), ("arrested", 3, "exact")]),
    # coordinated counts of one kind: a total, the parts kept as subsets
    ("Three soldiers and two civilians were killed.",
     [("killed", 3, "exact", "S"), ("killed", 5, "exact"), ("killed", 2, "exact", "S")]),
    ("The army killed three rebels and two civilians.",
     [("killed", 5, "exact"), ("killed", 3, "exact", "S"), ("killed", 2, "exact", "S")]),
    ("Two car bombs killed 20 people.", [("killed", 20, "exact")]),
    # lower-case, MUC-4 style
    ("three subversives were killed and seven others were wounded during clashes yesterday.",
     [("killed", 3, "exact"), ("injured", 7, "exact")]),
    ("the second infantry brigade command has reported that about 30 farmers of different ages have been "
     "kidnapped by rebels.", [("kidnapped", 30, "about")]),
    ("a soldier was wounded and taken to the military hospital.", [("injured", 1, "exact")]),
    ("one extremist was killed and five others were wounded.",
     [("killed", 1, "exact"), ("injured", 5, "exact")]),
    ("during military actions one of the guerrillas was killed and six were arrested.",
     [("killed", 1, "exact"), ("arrested", 6, "exact")]),
])
def test_figures(figures, text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("No one was hurt.", [("injured", 0, "exact")]),
    ("nobody was killed in the attack.", [("killed", 0, "exact")]),
    ("There were no casualties.", [("killed", 0, "exact"), ("injured", 0, "exact")]),
    ("There were no immediate reports of casualties.", []),
])
def test_zero_figures(figures, text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Gunmen killed 12 people, including 4 children.",
     [("killed", 12, "exact"), ("killed", 4, "exact", "S")]),
    ("eight were killed, three of them children.",
     [("killed", 8, "exact"), ("killed", 3, "exact", "S")]),
    ("The bomber also died.", [("killed", 1, "exact", "P")]),
    ("The two attackers were killed by police.", [("killed", 2, "exact", "P")]),
    ("Syria's conflict has evolved into a war that has killed more than 270,000 people.",
     [("killed", 270000, "more than", "A")]),
    ("So far this year 300 people have been killed in the province.",
     [("killed", 300, "exact", "A")]),
    ("more than 11 journalists have been killed by the army since 1981.",
     [("killed", 11, "more than", "A")]),
    ("attacks in 1986 in northwestern Syria that killed 144 people.", [("killed", 144, "exact")]),
])
def test_flags(figures, text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize("text", [
    "Five explosions hit two bus depots.",
    "About 20 minutes after the Hama blasts, three explosions shook Baniyas.",
    "The monitor said three suicide bombers set off their vests.",
    "“We heard three blasts,” said Karim Haddad, a 30-year-old teacher in Baniyas.",
    "In Hama a 51-year-old shopkeeper was just as shaken.",
    "The attack cost $5 million and lasted 15 minutes; 60% of residents fled.",
    "He was born in 1986 and killed in 2016.",
    "the deadliest attacks on the two cities since the start of the war.",
    "more than 100 dead or wounded.",
    "the husband is thought to have killed his children.",
    "call 555-1234 before 5 p.m.",
    "How many more people have to die before the council acts?",  # a question states no toll
    "Too many young people are losing their lives.",  # a lament
    "Her uncle died in a car crash on the way to the hospital.",  # a death, not of violence
])
def test_not_figures(figures, text):
    assert figures(text) == []


def test_vague_quantities_use_the_codebook_table(nlp_base):
    doc = nlp_base("Dozens of people were injured and several were killed.")
    dozens, several = find_figures(doc[:])
    assert (dozens.kind, dozens.value, dozens.low, dozens.high, dozens.qualifier) == (
        "injured", 24, 24, 99, "at least")
    assert (several.kind, several.value, several.low, several.high) == ("killed", 3, 3, 9)


def test_qualifier_before_vague_quantity_wins(nlp_base):
    (f,) = find_figures(nlp_base("More than a dozen people were killed.")[:])
    assert (f.value, f.low, f.high, f.qualifier) == (12, 10, 14, "more than")


@pytest.mark.parametrize("text", ["Between 10 and 15 people were wounded.",
                                  "10 to 15 people were wounded."])
def test_ranges(nlp_base, text):
    (f,) = find_figures(nlp_base(text)[:])
    assert (f.kind, f.value, f.low, f.high, f.qualifier) == ("injured", 10, 10, 15, "range")


def test_offsets_are_doc_characters(nlp_base):
    doc = nlp_base("Police arrived. A hundred people were killed in Baniyas.")
    sent = list(doc.sents)[1]
    (f,) = find_figures(sent)
    assert (f.start, f.text) == (16, "A hundred people were killed")


# --- casualty rules for local news (GVC-style shootings); the sentences are this project's own ---

@pytest.fixture(scope="module")
def scoped(nlp_base):
    def run(text: str) -> list[tuple]:
        doc = nlp_base(text)
        out = []
        for f in find_figures(doc[:]):
            assert doc.text[f.start:f.end] == f.text
            flags = "".join(c for c, on in (("S", f.subset), ("P", f.perpetrators),
                                             ("A", f.aggregate)) if on)
            out.append((f.kind, f.value, (f.scope or "").split(":")[0]) + ((flags,) if flags else ()))
        return out
    return run


@pytest.mark.parametrize(("text", "expected"), [
    # a single victim is one person: part of the toll, used when no number counts it
    ("Maria Lopez was shot and killed outside her home.", [("killed", 1, "one person")]),
    ("Officers found a teenage girl dead in the basement.", [("killed", 1, "one person")]),
    ("The man later passed away at the hospital.", [("killed", 1, "one person")]),
    ("The boy didn't make it.", [("killed", 1, "one person")]),
    ("15-year-old killed in shooting", [("killed", 1, "one person")]),
    ("A 17-year-old died after being shot in the chest.", [("killed", 1, "one person")]),
    ("A boy who was shot in the face has died.", [("killed", 1, "one person")]),
    ("The victim was taken to a hospital, where he died.",
     [("killed", 1, "one person"), ("killed", 1, "one person")]),
    ("James Cole remains in critical condition.", [("injured", 1, "one person")]),
    # people shot: the wounded and the dead together
    ("Four people were shot in the parking lot.", [("injured", 4, SHOT)]),
    ("Two people were shot, one fatally.", [("injured", 2, SHOT), ("killed", 1, "")]),
    ("A boy accidentally shot himself in the hand.", [("injured", 1, SHOT)]),
    ("He suffered a gunshot wound to the leg.", [("injured", 1, SHOT)]),
    # another victim, not the one who died
    ("Her father was also shot.", [("injured", 1, "one more person")]),
    ("A fifth man was wounded.", [("injured", 1, "one more person")]),
    # coordinated victims are added up; the parts are kept as subsets
    ("A woman, two boys and an elderly man were killed.",
     [("killed", 1, "", "S"), ("killed", 4, ""), ("killed", 2, "", "S"), ("killed", 1, "", "S")]),
    ("One person is listed in critical condition and four are being treated for minor injuries.",
     [("injured", 1, "", "S"), ("injured", 5, ""), ("injured", 4, "", "S")]),
    # counts written as words
    ("Police are investigating a double homicide.", [("killed", 2, "")]),
    ("Detectives are investigating a fatal shooting.", [("killed", 1, "one person")]),
    # perpetrators who kill themselves
    ("The gunman then turned the gun on himself.", [("killed", 1, SUICIDE)]),
    ("The man killed his wife and two children before killing himself.",
     [("killed", 3, ""), ("killed", 1, "", "S"), ("killed", 2, "", "S"), ("killed", 1, SUICIDE)]),
    # a headline's gapped reflexive: the victim and the killer himself
    ("Man kills wife, then himself in Dayton home", [("killed", 1, SUICIDE), ("killed", 1, "one person")]),
    ("A man shot and killed his wife and then himself on Sunday.",
     [("killed", 1, "one person"), ("killed", 1, SUICIDE), ("killed", 1, "one person")]),
    ("Three people are dead in what police called a murder-suicide.",
     [("killed", 3, ALL_DEAD), ("killed", 1, SUICIDE), ("killed", 1, "one person")]),
    ("Two students were killed in a murder-suicide.",
     [("killed", 2, ""), ("killed", 1, PERP_IN_TOLL), ("killed", 1, "one person")]),
    # cumulative tolls, and tolls of several incidents
    ("131 people have been shot in the city this year.", [("injured", 131, SHOT, "A")]),
    ("A violent weekend left seven people dead and 14 others hurt in 17 shootings.",
     [("killed", 7, ALL_DEAD, "A"), ("injured", 14, "", "A")]),
    ("At least nine people had been killed in the city since Friday.", [("killed", 9, "", "A")]),
    # two attacks, each with its own toll, are two incidents: not an aggregate
    ("Rebels killed 11 villagers near Oicha on Saturday and six more near Lubero on Monday in two attacks.",
     [("killed", 11, ""), ("killed", 6, "")]),
    # the agent of coordinated verbs is not a victim (shot and stabbed: killed or wounded, the sentence
    # does not say which)
    ("Deputies say Kane shot and stabbed his uncle and cousin on Friday.",
     [("injured", 2, SHOT), ("injured", 1, SHOT, "S")]),
    # "both": two, whatever else the list picked up (a photo credit)
    ("(Photo by Ann Reyes | Daily Star) Lena Ortiz and her baby were both found dead inside the house.",
     [("killed", 1, "", "S"), ("killed", 2, ""), ("killed", 1, "", "S")]),
    # an addition to a count
    ("Officers saw two dead men in the truck in addition to a dead woman on the road.",
     [("killed", 2, "", "S"), ("killed", 3, ALL_DEAD), ("killed", 1, "", "S")]),
    # the one killed himself, not the one he wounded
    ("The gunman shot his neighbour to death, wounded her son in the arm and killed himself.",
     [("killed", 1, "one person"), ("injured", 1, "one more person"), ("killed", 1, SUICIDE)]),
    # a death by one's own hand, no victim in the sentence
    ("Officers said the man killed himself in a parked van.", [("killed", 1, "one person, by their own hand")]),
    # a relative clause behind a reporting verb
    ("A vigil was held for a teen who police say was shot and killed by a friend.",
     [("killed", 1, "one person")]),
    # shot and survived: wounded, not "people shot" (who may include the dead)
    ("Her husband was shot but survived.", [("injured", 1, "one more person")]),
    ("A cousin was shot in the hip and is in stable condition.", [("injured", 1, "one person")]),
    ("Four men were shot and survived.", [("injured", 4, "")]),
    ("The clerk survived being shot in the neck.", [("injured", 1, "one person")]),
    ("Two teenagers survived gunshot wounds.", [("injured", 2, "")]),
    ("The clerk did not survive being shot.", [("killed", 1, "one person")]),
    ("Four men were shot, and two of them survived.", [("injured", 4, SHOT), ("injured", 2, "", "S")]),
    # hit or struck by gunfire: shot (killed or wounded); not by a car, nor with a brick
    ("Three men were hit in the gunfire.", [("injured", 3, SHOT)]),
    ("A 30-year-old was hit in the arm.", [("injured", 1, SHOT)]),
    ("Her cousin was struck twice by stray bullets.", [("injured", 1, SHOT)]),
    ("A stray round struck a toddler.", [("injured", 1, SHOT)]),
    ("Two bystanders were struck and killed by gunfire.", [("killed", 2, "")]),
    ("Four people were hit, one fatally.", [("injured", 4, SHOT), ("killed", 1, "")]),
    ("A cyclist was struck by a van.", []),
    ("The man was hit with a brick.", []),
    # a person who comes with a wound: shot (a gunshot wound), or wounded
    ("Two other men showed up at the hospital with gunshot wounds.", [("injured", 2, SHOT)]),
    ("A teenager went to a hospital for treatment of a gunshot wound to the leg.", [("injured", 1, SHOT)]),
    ("A man was dropped off at a medical center with a gunshot wound to the foot.", [("injured", 1, SHOT)]),
    ("He went to the hospital for treatment of his injuries.", [("injured", 1, "one person")]),
    ("The man was found dead with a gunshot wound to the head.", [("killed", 1, "one person")]),
    ("Officers went to the hospital with the victim.", []),
    # an ordinal standing for one more person: "two were killed and a third wounded"
    ("Two men were killed and a third was wounded.", [("killed", 2, ""), ("injured", 1, "one more person")]),
    ("The gunman killed two people and wounded a third.", [("killed", 2, ""), ("injured", 1, "one more person")]),
    ("A third of the village was destroyed.", []),
    # armed men of the attacking side killed are the attackers, added to the victims' toll (as ACLED counts)
    ("Twenty insurgents were killed in the fighting.", [("killed", 20, "", "P")]),
    ("The raid killed 20 militants and three civilians.", [("killed", 20, "", "P"), ("killed", 3, "")]),
    # a bomber who blew himself up is dead: the attacker, added to the toll
    ("The attacker blew himself up at the gate.", [("killed", 1, "perpetrator's suicide")]),
    ("The bomber blew up the bridge.", []),
    # a nationality standing for a person ("an Afghan"), not its adjective ("Afghan troops")
    ("Two other Americans and an Afghan were injured.", [("injured", 2, "", "S"), ("injured", 3, ""),
                                                        ("injured", 1, "", "S")]),
    ("An Iraqi was killed.", [("killed", 1, "one person")]),
    # an address is no count: "the 300 block of Elm Street"
    ("A boy shot Sunday in the 300 block of Elm Street died hours later.", [("killed", 1, "one person")]),
])
def test_local_news_figures(scoped, text, expected):
    assert scoped(text) == expected


@pytest.mark.parametrize("text", [
    "Detectives charged him with two counts of murder.",   # counts of a charge
    "Erica Stone, 21, of Dayton, was arrested.",           # an age in apposition
    "Kayla Reed, also 18, testified on Monday.",
    "One of the victims was shot on Sept. 3 died Saturday morning.",
])
def test_ages_charges_and_days_are_not_tolls(scoped, text):
    assert not any(v in (3, 18, 21, 2) and k in ("killed", "injured") and s != "one person"
                   for k, v, s, *_ in scoped(text))


def test_age_in_apposition_is_not_a_count(scoped):
    assert scoped("Erica Stone, 21, of Dayton, was killed.") == [("killed", 1, "one person")]


def test_age_ending_a_headline_is_not_a_count(scoped):
    # a title line ends in the age, with no full stop, before the body
    assert not any(v == 16 for _, v, *_ in scoped("Funeral held for victim of fatal shooting, Dana Cole, 16\n\n"))


def test_father_of_four(scoped):
    assert scoped("The father of 4 was killed on Friday.") == [("killed", 1, "one person")]


@pytest.mark.parametrize("text", [
    "Woman fatally shot in hunting accident near lake",
    "15-year-old girl fatally shot outside school",
    "Accidental gun discharge kills deputy's son",
])
def test_a_headlines_bare_victim_is_one_person(scoped, text):
    assert [(k, v) for k, v, *_ in scoped(text)] == [("killed", 1)]


def test_a_self_inflicted_death_beside_victims_is_the_perpetrators(scoped):
    found = scoped("The two boys died of gunshot wounds, the coroner said, and their father later died of a "
                   "self-inflicted gunshot wound.")
    assert {("killed", 1, "perpetrator's suicide"), ("killed", 1, "perpetrator, among the dead counted")} & set(found)
    assert scoped("The man died of a self-inflicted gunshot wound.") == [("killed", 1, "one person")]


def test_names_restating_the_people_listed_are_not_counted_again(scoped):
    found = scoped("Relatives found the bodies of Tom Baker, his wife, Anna Baker, and their two sons, "
                   "Eli and Sam, on Sunday.")
    assert max(v for k, v, *_ in found if k == "killed") == 4


@pytest.mark.parametrize("text", [
    "Officers said he was the first of two teenagers killed in the city during the holiday.",
    "Two pupils have now lost their lives in separate gun-related incidents since March.",
    "Her death follows a violent streak that includes a double homicide downtown.",
    "Detectives are looking into three attacks overnight that left two women dead.",
])
def test_tolls_of_several_incidents_are_aggregates(scoped, text):
    twos = [flags for _, v, _, *flags in scoped(text) if v == 2]
    assert twos and all(flags and "A" in flags[0] for flags in twos)


def test_an_age_written_year_old_is_one_person(scoped):
    assert scoped("Troopers are looking into the death of a three-year old child hit by a stray round.") == [
        ("killed", 1, "one person")]


def test_bodies_of_named_people_are_a_body_count(scoped):
    found = scoped("Police said the bodies of 61-year-old Carl Voss, 58-year-old Ida Voss and 9-year-old "
                   "Ben Voss were found.")
    assert ("killed", 3, ALL_DEAD) in found


def test_bodies_found_are_a_body_count(scoped):
    assert scoped("Three bodies were found in a farmhouse on Thursday.") == [("killed", 3, "all the dead")]


@pytest.mark.parametrize(("text", "expected"), [
    # nobody (else) hurt: a 0 that stands only when nothing else counts the injured
    ("No other injuries were reported.", [("injured", 0, "nobody else")]),
    ("Nobody else was hurt in the exchange.", [("injured", 0, "nobody else")]),
    ("The cashier escaped unharmed.", [("injured", 0, "nobody else")]),
    ("Her two sons were not hurt.", [("injured", 0, "nobody else")]),
    # a group unhurt: 0 only when nothing else counts anyone
    ("No officers were injured.", [("injured", 0, "nobody else")]),
    ("No other people were hurt.", [("injured", 0, "nobody else")]),
    ("No one else was shot.", [("injured", 0, "nobody else")]),
    ("No civilians were killed in the raid.", [("killed", 0, "nobody else")]),
    # a true zero toll
    ("Nobody was injured when the bus was hit.", [("injured", 0, "")]),
])
def test_nobody_hurt_said_in_words(scoped, text, expected):
    assert scoped(text) == expected


def test_no_zero_of_things(scoped):
    assert scoped("No shots were fired and no arrests were made.") == []


def test_not_seriously_hurt_is_no_zero(scoped):
    assert not any(v == 0 for _, v, *_ in scoped("The driver was not seriously hurt in the crash on the road."))


def test_several_names_no_number(scoped):
    assert scoped("Several people were wounded in the market.") == [("injured", 3, "no number given")]
    # "dozens" keeps its reading
    assert scoped("Dozens of villagers were wounded.") == [("injured", 24, "")]


@pytest.mark.parametrize(("text", "total"), [
    ("A 31-year-old man was shot in the hip and a woman, 44, was grazed on the arm.", 2),
    ("Two women were shot; one was treated for a wound to the hand and the other is in serious condition.", 2),
])
def test_wounded_told_one_by_one(scoped, text, total):
    counted = [v for k, v, scope, *flags in scoped(text) if k == "injured" and not flags]
    assert max(counted) == total


def test_both_counts_two(scoped):
    assert scoped("Both were rushed to a trauma center.") == [("injured", 2, SHOT)]


def test_one_in_care_is_one_person(scoped):
    assert scoped("One victim remains in critical condition.") == [("injured", 1, "one person")]


def test_a_wounded_person_beside_one_who_died_is_another(scoped):
    found = scoped("A 9-year-old boy was grazed by a bullet and his uncle was shot dead on the porch.")
    assert ("injured", 1, "one more person") in found and ("killed", 1, "one person") in found
    # beside a count of the dead too
    found = scoped("Two guards died and a 7-year-old girl was wounded when the gunmen fired on the car.")
    assert ("injured", 1, "one more person") in found


@pytest.mark.parametrize(("text", "expected"), [
    # a death told as a part of people hurt: taken out of the wounded by `reconcile`
    ("One of them later died at the hospital.", [("killed", 1, DIED_OF_WOUNDS)]),
    ("Two of the three people wounded in the shooting have died.",
     [("killed", 2, DIED_OF_WOUNDS), ("injured", 3, "")]),
    ("One of the victims, a 20-year-old, died at the hospital.", [("killed", 1, DIED_OF_WOUNDS)]),
    # not a death among a group, or not told by a verb of dying
    ("Four people died in the blast.", [("killed", 4, ALL_DEAD)]),
    ("Gunmen killed two of the guards.", [("killed", 2, "")]),
])
def test_died_of_wounds(scoped, text, expected):
    assert scoped(text) == expected


def test_an_age_after_a_word_standing_for_a_person_is_no_count(scoped):
    found = scoped("One man, 28, died at the hospital; the other, 31, is in stable condition.")
    assert all(value < 28 for _, value, *_ in found)
    assert [value for kind, value, *_ in found if kind == "killed"] == [1]


@pytest.mark.parametrize(("text", "expected"), [
    # stabbed, as shot: the people harmed, killed or wounded, unless the sentence says they died
    ("Three people were stabbed in a park on Saturday, police said.", [("injured", 3, SHOT)]),
    ("A man stabbed two women on Saturday.", [("injured", 2, SHOT)]),
    ("Three people were stabbed to death on Saturday.", [("killed", 3, "")]),
    ("A woman was fatally stabbed on Saturday.", [("killed", 1, "one person")]),
    ("Three people were stabbed, one fatally.", [("injured", 3, SHOT), ("killed", 1, "")]),
])
def test_stabbed_counts_as_shot(scoped, text, expected):
    assert scoped(text) == expected


def test_a_coordinated_act_with_its_own_victim_does_not_kill_the_first_ones(scoped):
    found = scoped("The accountant is accused of wounding two managers in a shotgun attack and killing a receptionist.")
    pairs = [f[:2] for f in found]
    assert ("injured", 2) in pairs and ("killed", 2) not in pairs


@pytest.mark.parametrize("text", [
    "At least 12 people, and up to 20, were killed when gunmen attacked the village.",
    "At least 12 people and possibly as many as 20 were killed when gunmen attacked the village.",
])
def test_a_count_and_its_upper_bound_are_a_range_not_a_sum(figures, text):
    """"At least 12 people, and up to 20": one count's two ends, not 12 + 20 people."""
    found = figures(text)
    assert ("killed", 12, "at least") in found and ("killed", 20, "up to") in found, found
    assert not any(f[1] == 32 for f in found), found


@pytest.mark.parametrize(("text", "expected"), [
    # "both" before a plural noun of people counts two, as "two" would
    ("Both brothers were killed in the ambush near the river.", ("killed", 2, "")),
    ("Both of the guards died at the scene.", ("killed", 2, DIED_OF_WOUNDS)),  # of those told before
    # a headline's "shot, killed" is "shot and killed"
    ("Woman shot, killed outside Elm Street bar", ("killed", 1, "one person")),
    # a listed count with its own state is not of the kind the list's verb gives the others
    ("The attack left one dead and three others in serious condition.", ("injured", 3, "")),
    # "another" standing for one more person, with a gapped passive
    ("Two guards were killed and another seriously wounded.", ("injured", 1, "one more person")),
    # left in a condition: wounded
    ("The gunman fired on the pair, killing the driver and leaving his son in critical condition.",
     ("injured", 1, "one more person")),
    # person words the list lacked
    ("A Hilltown 7th-grader died after the shooting.", ("killed", 1, "one person")),
    ("The clerk shot and killed a suspected shoplifter.", ("killed", 1, "one person")),
])
def test_counts_of_people_in_news_wording(scoped, text, expected):
    assert expected in scoped(text)


def test_one_kind_in_a_list_with_its_own_state_is_no_sum(scoped):
    found = scoped("The attack left one dead and three others in serious condition.")
    assert ("killed", 1, "") in found and not any(k == "killed" and v == 4 for k, v, *_ in found)


@pytest.mark.parametrize(("text", "expected"), [
    # a body count told before the killer's suicide counts his victims alone
    ("The gunman left five people dead before killing himself.", ("killed", 5, "")),
    ("A shooting left four people dead, then the gunman turned the gun on himself.", ("killed", 4, "")),
    # ... but a body count that holds him stays a body count
    ("Four people were found dead in the house in what police called a murder-suicide.", ("killed", 4, ALL_DEAD)),
])
def test_a_body_count_before_a_suicide_is_of_the_victims(scoped, text, expected):
    assert expected in scoped(text)


def test_a_suicide_after_killing_others_is_not_in_their_sum(scoped):
    found = scoped("He died of a self-inflicted gunshot wound after shooting and killing Ann Ross and Tim Ross.")
    assert ("killed", 1, SUICIDE) in found and ("killed", 2, "") in found
    found = scoped("Both girls were shot dead, and their stepfather died of a self-inflicted gunshot wound.")
    assert ("killed", 1, PERP_IN_TOLL) in found and ("killed", 3, "") in found


@pytest.mark.parametrize(("text", "expected"), [
    # a gapped reflexive repeats the last verb with an object before it
    ("Farmer shoots 3 neighbors, killing 1, then himself", [("killed", 1, ""), ("killed", 1, SUICIDE)]),
    ("Mother fatally shot twin sons, herself", [("killed", 2, ""), ("killed", 1, SUICIDE)]),
])
def test_a_gapped_suicide_in_a_headline(scoped, text, expected):
    found = scoped(text)
    assert all(e in found for e in expected), found


@pytest.mark.parametrize(("text", "expected"), [
    # an age in months stands for a person as one in years does
    ("An 11-month-old was killed when gunfire hit the car.", ("killed", 1, "one person")),
    # a headline's participle the parser read as a noun ("baby shot") ends the phrase of the person
    ("6-week-old infant shot while sleeping in crib", ("injured", 1, SHOT)),
])
def test_infants_and_headline_participles(scoped, text, expected):
    assert expected in scoped(text)


def test_people_treated_in_a_hospital_are_wounded(scoped):
    assert ("injured", 3, "") in scoped("Three men were treated at a nearby hospital after the blast.")
    assert ("injured", 3, "") in scoped("Three men are being treated in hospitals across the city.")


@pytest.mark.parametrize(("text", "expected"), [
    ("Two 17-year-old boys were wounded in the shooting.", [("injured", 2, "")]),
    ("Police said 2 16-year-olds were shot.", [("injured", 2, SHOT)]),
])
def test_a_count_of_people_of_one_age(scoped, text, expected):
    assert scoped(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a list the parser read as an apposition: "six women" apposed to by "a boy and three men"
    ("There were six women, a 12-year-old boy and three men wounded.",
     [("injured", 6, "exact", "S"), ("injured", 10, "exact"), ("injured", 1, "exact", "S"),
      ("injured", 3, "exact", "S")]),
    ("There were four children, an elderly woman and two men hurt in the blast.",
     [("injured", 4, "exact", "S"), ("injured", 7, "exact"), ("injured", 1, "exact", "S"),
      ("injured", 2, "exact", "S")]),
    # a count restated person by person: the people again, not more of them
    ("Two victims, a man and a woman, were shot.",
     [("injured", 2, "exact"), ("injured", 1, "exact", "S"), ("injured", 1, "exact", "S")]),
    ("There were three people injured, a man and two women.",
     [("injured", 3, "exact"), ("injured", 1, "exact", "S"), ("injured", 2, "exact", "S")]),
])
def test_people_listed_in_apposition_to_a_count(figures, text, expected):
    assert figures(text) == expected
