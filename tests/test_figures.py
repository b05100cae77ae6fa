"""Casualty figures in one parsed sentence (sitrep.extract.figures)."""

from __future__ import annotations

import pytest

from sitrep.extract.figures import find_figures


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
    ("More than 148 people were killed yesterday in bombings.", [("killed", 148, "more than")]),
    ("A hundred people were killed in Jableh and another 48 in Tartus to the south, "
     "including children, said the monitor.", [("killed", 100, "exact"), ("killed", 48, "exact")]),
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
    ("The death toll has risen to 148, the Observatory said.", [("killed", 148, "exact")]),
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
    ("the arce battalion command has reported that about 50 peasants of various ages have been "
     "kidnapped by terrorists.", [("kidnapped", 50, "about")]),
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
    "Seven near-simultaneous explosions targeted bus stations.",
    "Around 15 minutes after the Tartus blasts, four explosions rocked Jableh.",
    "The Observatory said two suicide bombers detonated explosive belts.",
    "“I’m shocked,” said Mohsen Zayyoud, a 22-year-old student in Jableh.",
    "In Tartus a 42-year-old bank employee was just as stunned.",
    "The attack cost $5 million and lasted 15 minutes; 60% of residents fled.",
    "He was born in 1986 and killed in 2016.",
    "the deadliest attacks on the two cities since the start of the war.",
    "more than 100 dead or wounded.",
    "the husband is thought to have killed his children.",
    "call 555-1234 before 5 p.m.",
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
    doc = nlp_base("Police arrived. A hundred people were killed in Jableh.")
    sent = list(doc.sents)[1]
    (f,) = find_figures(sent)
    assert (f.start, f.text) == (16, "A hundred people were killed")
