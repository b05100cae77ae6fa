"""Who a sentence's statement is attributed to (sitrep.extract.reporters)."""

from __future__ import annotations

import pytest

from sitrep.extract.reporters import canonical_reporter, find_reporter


@pytest.fixture(scope="module")
def reporter(nlp_base):
    def run(text: str) -> str | None:
        doc = nlp_base(text)
        found = find_reporter(doc[:])
        if found is None:
            return None
        assert doc.text[found.start:found.end] == found.name
        return found.name
    return run


@pytest.mark.parametrize(("text", "expected"), [
    ("Forty people died in Baniyas and another 12 in Hama, among them women, said the Syrian "
     "Observatory for Human Rights monitor.",
     "Syrian Observatory for Human Rights"),
    ("Three people were killed, the Syrian Observatory for Human Rights said.",
     "Syrian Observatory for Human Rights"),
    ("Police said 3 people were killed.", "Police"),
    ("According to the health ministry, 20 people were killed.", "health ministry"),
    ("Three people died, according to local residents.", "local residents"),
    ("according to a statement from the army, 3 soldiers died.", "army"),
    ("A police source in the city confirmed a car bomb had hit the entrance.", "police source"),
    ("The Observatory said a car bomb exploded.", "Observatory"),
    ("Officials told Reuters that 12 people died.", "Officials"),
    ("State television reported that the army had retaken the town.", "State television"),
    ("Footage from state television showed charred mini-buses.", "state television"),
    ("Monitor director Rami Abdel Rahman said the toll was still rising.",
     "Rami Abdel Rahman"),
    ("“We heard three blasts,” said Karim Haddad, a 30-year-old teacher in Baniyas.", "Karim Haddad"),
    ("Three people were killed, a police spokesman said.", "police spokesman"),
    ("At least 12 people were killed, Interior Ministry spokesman Saad Maan told AFP.",
     "Saad Maan"),
    ("the attack killed 3 people, military sources said.", "military sources"),
    # lower-case, MUC-4 style
    ("the second infantry brigade command has reported that about 30 farmers have been kidnapped.",
     "second infantry brigade command"),
    ("according to that garrison, the mass kidnapping took place on 30 december.", "garrison"),
    ("the source added that the terrorists forced the individuals out.", "source"),
    ("one of the leaders of the group said: we are protesting.", "leaders"),
])
def test_reporter(reporter, text, expected):
    assert reporter(text) == expected


@pytest.mark.parametrize("text", [
    "He said 5 people died.",
    "IS claimed the blasts in a statement.",
    "Seven near-simultaneous explosions targeted bus stations.",
    "UN chief Ban Ki-moon denounced the terrorist attacks.",
    "the report adds that a truck bomb went off.",
])
def test_no_reporter(reporter, text):
    assert reporter(text) is None


KNOWN = ["Syrian Observatory for Human Rights", "Rami Abdel Rahman", "police source"]


@pytest.mark.parametrize(("name", "expected"), [
    ("Observatory", "Syrian Observatory for Human Rights"),
    ("the Observatory", "Syrian Observatory for Human Rights"),
    ("the monitor", "Syrian Observatory for Human Rights"),
    ("Abdel Rahman", "Rami Abdel Rahman"),
    ("police", "police"),
    ("source", "police source"),
    ("state television", "state television"),
    ("Syrian Observatory for Human Rights", "Syrian Observatory for Human Rights"),
])
def test_canonical_reporter(name, expected):
    assert canonical_reporter(name, KNOWN) == expected


def test_canonical_reporter_prefers_the_latest_match():
    assert canonical_reporter("the ministry", ["health ministry", "interior ministry"]) == (
        "interior ministry")
    assert canonical_reporter("the health ministry", ["health ministry", "interior ministry"]) == (
        "health ministry")
