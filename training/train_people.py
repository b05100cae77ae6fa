"""Fit the part of each named person (suspect, victim, neither) on the Gun Violence Archive's participants.

Every GVA article (crawl noise skipped) is parsed by sitrep's pipeline; `people.named_people` lists the
people it names with their features. A person whose last word is the last word of a participant's name
is labelled with the participant's type (Subject-Suspect: suspect; Victim: victim; a last word shared by
a suspect and a victim is left out), every other named person (officers, officials, relatives,
witnesses) neither. A softmax over the three parts is fitted by L-BFGS with an L2 penalty; the figures
printed are 5-fold cross-validated (all the articles of one incident in one fold). Deterministic.

    .venv/bin/python training/train_people.py --gva ../shared/data/gva --out src/sitrep/models/people.npz
"""

from __future__ import annotations

import argparse
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from sitrep.evaluate import merge
from sitrep.extract import people
from sitrep.pipeline import Pipeline

FOLDS = 5
L2 = 1.0  # on the summed log-likelihood of a few thousand people


@dataclass
class Example:
    group: str  # the incident: all its articles go to one fold
    features: dict[str, float]
    part: int  # index in people.PARTS


Participant = tuple[str | None, str, str]  # first name, last name (`people.name_key`), part


def participants(folder: Path) -> dict[str, list[Participant]]:
    """Incident id -> its suspects and victims by first and last name, for the incidents whose suspects and
    victims are all named (elsewhere nobody can be called neither)."""
    out: dict[str, list[Participant]] = {}
    with open(folder / "gva_incidents.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            found: list[Participant] = []
            for p in row.get("participants") or []:
                name, kind = (p.get("Name") or "").split(), (p.get("Type") or "").strip()
                if kind not in {"Subject-Suspect", "Victim"}:
                    continue
                if not name:  # an unnamed participant: a person the article names may be them
                    break
                if key := people.name_key(name):
                    first = name[0].lower() if len(name) > 1 else None
                    found.append((first, key, "suspect" if kind == "Subject-Suspect" else "victim"))
            else:
                out[str(row["incident_uri"])] = found
    return out


def label(person: people.NamedPerson, gold: list[Participant]) -> int | None:
    """The part of the participant the person is (same last name; and first name, where namesakes share it);
    None where that is ambiguous."""
    namesakes = [(first, part) for first, key, part in gold if key == person.key]
    parts = {part for first, part in namesakes if first is None or person.first is None or first == person.first}
    if len(namesakes) == 1:  # "Chris Smith" is the archive's "Christopher Smith"
        parts = {namesakes[0][1]}
    if len(parts) > 1:
        return None
    return people.PARTS.index(parts.pop() if parts else "neither")


def examples(docs, incident_ids: list[str], gold: dict[str, list[Participant]]) -> list[Example]:
    out = []
    for doc, incident in zip(docs, incident_ids, strict=True):
        if incident not in gold:
            continue
        lists_suspect = any(part == "suspect" for _, _, part in gold[incident])
        for person in people.named_people(doc):
            part = label(person, gold[incident])
            # where the archive lists no suspect, one may be unknown to it yet named: nobody there is neither
            if part is not None and (part != 0 or lists_suspect):
                out.append(Example(incident, person.features, part))
    return out


def fit(data: list[Example], names: list[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(data), len(names)))
    for row, ex in enumerate(data):
        for name, value in ex.features.items():
            if (i := index.get(name)) is not None:
                x[row, i] = value
    y = np.zeros((len(data), len(people.PARTS)))
    y[np.arange(len(data)), [ex.part for ex in data]] = 1
    shape = (len(names), len(people.PARTS))

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta.reshape(shape)
        z = x @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        value = -np.sum(y * np.log(p + 1e-12)) + L2 / 2 * np.sum(w ** 2)
        return value, (x.T @ (p - y) + L2 * w).ravel()

    return minimize(loss, np.zeros(shape).ravel(), jac=True, method="L-BFGS-B").x.reshape(shape)


def cross_validate(data: list[Example], names: list[str]) -> dict[str, float]:
    """Accuracy over people and each part's precision and recall, each person decided by a model fitted on
    the other folds; beside the share a model that calls everyone 'neither' gets right."""
    fold = [zlib.crc32(ex.group.encode()) % FOLDS for ex in data]
    predicted = np.zeros(len(data), dtype=int)
    for k in range(FOLDS):
        model = people.PeopleModel(names, fit([ex for ex, f in zip(data, fold) if f != k], names))
        held = [i for i, f in enumerate(fold) if f == k]
        persons = [people.NamedPerson(name="", key="", features=data[i].features) for i in held]
        predicted[held] = model.probabilities(persons).argmax(axis=1)
    gold = np.array([ex.part for ex in data])
    out = {"people": len(data), "accuracy": float(np.mean(predicted == gold)),
           "all neither": float(np.mean(gold == 0))}
    for k, part in enumerate(people.PARTS[1:], 1):
        out[f"{part} precision"] = float(np.mean(gold[predicted == k] == k)) if np.any(predicted == k) else 0.0
        out[f"{part} recall"] = float(np.mean(predicted[gold == k] == k))
        out[f"{part}s"] = int(np.sum(gold == k))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gva", type=Path, required=True, help="GVA folder (gva_articles.jsonl, gva_incidents.jsonl)")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    articles, _ = merge.read_gva(a.gva)
    pipeline = Pipeline.load()
    docs = pipeline.parse_many(g.article.text for g in articles)
    data = examples(docs, [g.incident_id for g in articles], participants(a.gva))
    names = sorted({n for ex in data for n in ex.features})
    for name, value in cross_validate(data, names).items():
        print(f"{name:20s} {value:.4f}" if isinstance(value, float) else f"{name:20s} {value}")
    people.write_model(a.out, people.PeopleModel(names, fit(data, names)))
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
