"""Named people's part (sitrep.extract.people): who each naming is, what its sentence says of them, the model
file, and suspects as perpetrators (never victims) in coded reports."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pytest

from sitrep.extract import people
from sitrep.records import Article

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
import train_people  # noqa: E402


def named(pipeline, text):
    return {p.name: p for p in people.named_people(pipeline.parse(text))}


def test_namesakes_are_told_apart_by_first_name_and_a_last_name_alone_is_the_last_named(pipeline):
    found = named(pipeline, "Deputies found the bodies of Mark Mata and his son Hank Mata on Tuesday. "
                            "Hank Mata was six. Police said Mata had been shot.")
    assert {p.key for p in found.values()} == {"mata"}
    assert found["Mark Mata"].first == "mark" and found["Hank Mata"].first == "hank"
    assert len(found["Hank Mata"].spans) == 3 and len(found["Mark Mata"].spans) == 1


def test_a_role_word_read_as_a_name_is_nobody(pipeline):
    assert "Shooter" not in named(pipeline, "Co-Worker Calls Alleged Shooter Very Spiritual")


@pytest.mark.parametrize("text, name, feature", [
    ("The alleged gunman, Ann Baker, was taken into custody on Friday.", "Ann Baker", "noun_suspect"),
    ("Police arrested Jason Miller on Sunday.", "Jason Miller", "justice_patient"),
    ("Deputies identified the suspect as Tom Dyer.", "Tom Dyer", "as_suspect"),
    ("Carl White died at the hospital on Monday.", "Carl White", "died"),
    ("Witnesses said Raymond Lutz opened fire on the crowd.", "Raymond Lutz", "harm_agent"),
    ("A gunman shot Lena Ortiz in the leg.", "Lena Ortiz", "harm_patient"),
    ("Police said Devon Hale shot himself in the chest.", "Devon Hale", "harm_self"),
    ("Sgt. Paul Reyes said the investigation continues.", "Paul Reyes", "noun_official"),
    ("Sgt. Paul Reyes said the investigation continues.", "Paul Reyes", "speaker"),
    ("Maria Diaz, 31, lived nearby.", "Maria Diaz", "age"),
    ("The alleged shooter, Dana Cole, worked on the third floor.", "Dana Cole", "noun_suspect"),
    ("Nina Ford walked back in at gunpoint, armed with a revolver.", "Nina Ford", "sent_suspect"),
])
def test_what_a_sentence_says_of_a_person(pipeline, text, name, feature):
    assert named(pipeline, text)[name].features.get(feature, 0) > 0


def test_the_model_decides_the_most_probable_part(tmp_path):
    model = people.PeopleModel(["bias", "noun_suspect"], np.array([[1.0, 0.0, 0.0], [0.0, 3.0, 0.0]]))
    suspect = people.NamedPerson("Ann Baker", "baker", features={"bias": 1.0, "noun_suspect": 0.7})
    other = people.NamedPerson("Tom Reed", "reed", features={"bias": 1.0})
    model.decide([suspect, other])
    assert suspect.part == "suspect" and other.part == "neither" and 0.5 < other.probability <= 1
    people.write_model(tmp_path / "p.npz", model)
    back = people.read_model(tmp_path / "p.npz")  # np.load with allow_pickle=False
    assert back.names == model.names and np.allclose(back.weights, model.weights)


def test_shipped_weights_read_the_features_people_have(pipeline):
    model = people.shipped()
    assert model is not None, "src/sitrep/models/people.npz is missing: run make train-people"
    found = named(pipeline, "Police arrested Brian Cole, 34, and charged him with murder. Dana Price died.")
    assert set().union(*(p.features for p in found.values())) <= set(model.names)


REPORT = ("A gunman shot and killed Dana Price, 27, outside a bar in Dayton, Ohio, on Saturday, police said. Price "
          "was pronounced dead at the hospital. Police arrested Brian Cole, 34, on Sunday and charged him with "
          "murder. Cole is being held on a $1 million bond.")


def test_a_charged_suspect_is_a_perpetrator_and_never_a_victim(pipeline):
    extraction = pipeline.extract(Article.from_text(REPORT, published=dt.date(2024, 6, 3)))
    assert len(extraction.incidents) == 1
    incident = extraction.incidents[0]
    assert "Brian Cole" in [a.name for a in incident.perpetrators]
    assert not any("Cole" in v for v in incident.victims)
    assert not any("Price" in a.name for a in incident.perpetrators)


def test_a_lower_cased_report_names_nobody_a_suspect(pipeline):
    extraction = pipeline.extract(Article.from_text(REPORT.lower(), published=dt.date(2024, 6, 3)))
    assert not any("cole" in a.name.lower() and a.name[:1].isupper()
                   for i in extraction.incidents for a in i.perpetrators)


def test_training_labels_follow_the_archive_participants():
    gold = [("christopher", "smith", "suspect"), ("mark", "mata", "victim"), ("hank", "mata", "suspect")]
    assert train_people.label(people.NamedPerson("Chris Smith", "smith", first="chris"), gold) == 1  # one namesake
    assert train_people.label(people.NamedPerson("Hank Mata", "mata", first="hank"), gold) == 1
    assert train_people.label(people.NamedPerson("Mata", "mata"), gold) is None  # which Mata?
    assert train_people.label(people.NamedPerson("Tom Reed", "reed", first="tom"), gold) == 0
