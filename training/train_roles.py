"""Train the role tagger (sitrep.extract.roles) on MUC-4 and write its weights.

    python training/train_roles.py --train ../shared/data/muc4/train.jsonl --dev ../shared/data/muc4/dev.jsonl \
        --out src/sitrep/models/roles.json.gz

Each document is parsed by sitrep's own pipeline; every candidate phrase (sitrep.extract.roles.candidates)
whose normalised text is a gold role mention of the document gets that role, every other phrase NONE.
A multinomial logistic regression over the phrase features is fitted on train.jsonl only (Adam, L2, a
fixed number of epochs, fixed seed). The per-role decision thresholds are the settings chosen on
dev.jsonl: each maximises that role's phrase-level F1 there.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np

from sitrep.codebook import load_codebook
from sitrep.extract.roles import LABELS, NONE, RoleTagger, normalize
from sitrep.muc4 import ROLE_LABELS
from sitrep.nlp.gazetteer import Gazetteer
from sitrep.nlp.ruler import build_nlp

CLASSES = [NONE, *LABELS]


def examples(path: Path, nlp, tagger: RoleTagger) -> list[tuple[list[str], int, str]]:
    """(features, class index, docid) for every candidate phrase of every document."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for record, doc in zip(records, nlp.pipe((r["doctext"] for r in records), batch_size=32)):
        gold: dict[str, str] = {}
        for template in record["templates"]:
            for role, label in ROLE_LABELS.items():
                for entity in template[role]:
                    for mention, _ in entity:
                        gold.setdefault(normalize(mention), label)
        for key, (_, features) in tagger.featurize(doc).items():
            out.append((features, CLASSES.index(gold.get(key, NONE)), record["docid"]))
    return out


def encode(data, index: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Flat feature ids, row offsets and labels."""
    ids, offsets, labels = [], [0], []
    for features, label, _ in data:
        row = [index[f] for f in features if f in index]
        ids.extend(row)
        offsets.append(len(ids))
        labels.append(label)
    return np.array(ids, dtype=np.int64), np.array(offsets, dtype=np.int64), np.array(labels, dtype=np.int64)


def scores(weights: np.ndarray, ids, offsets, rows) -> np.ndarray:
    """Logits of the given rows."""
    out = np.zeros((len(rows), weights.shape[1]), dtype=np.float32)
    for k, r in enumerate(rows):
        out[k] = weights[ids[offsets[r] : offsets[r + 1]]].sum(axis=0)
    return out


def fit(ids, offsets, labels, n_features: int, epochs: int, l2: float, lr: float, seed: int) -> np.ndarray:
    """Multinomial logistic regression by mini-batch Adam."""
    rng = np.random.default_rng(seed)
    w = np.zeros((n_features, len(CLASSES)), dtype=np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    step = 0
    n = len(labels)
    for epoch in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for b in range(0, n, 256):
            rows = order[b : b + 256]
            logits = scores(w, ids, offsets, rows)
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            total -= np.log(probs[np.arange(len(rows)), labels[rows]] + 1e-9).sum()
            probs[np.arange(len(rows)), labels[rows]] -= 1
            grad = np.zeros_like(w)
            for k, r in enumerate(rows):
                grad[ids[offsets[r] : offsets[r + 1]]] += probs[k]
            touched = np.unique(ids[np.concatenate([np.arange(offsets[r], offsets[r + 1]) for r in rows])])
            g = grad[touched] / len(rows) + l2 * w[touched]
            step += 1
            m[touched] = 0.9 * m[touched] + 0.1 * g
            v[touched] = 0.999 * v[touched] + 0.001 * g * g
            w[touched] -= lr * (m[touched] / (1 - 0.9**step)) / (np.sqrt(v[touched] / (1 - 0.999**step)) + 1e-8)
        print(f"epoch {epoch + 1}: loss {total / n:.4f}", flush=True)
    return w


def choose_thresholds(w: np.ndarray, data, index) -> dict[str, float]:
    """Per role, the probability threshold that maximises phrase-level F1 on the given data."""
    ids, offsets, labels = encode(data, index)
    logits = scores(w, ids, offsets, range(len(labels)))
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    best_label = probs[:, 1:].argmax(axis=1) + 1
    best_p = probs[np.arange(len(labels)), best_label]
    thresholds = {}
    for c, label in enumerate(CLASSES[1:], start=1):
        gold = (labels == c).sum()
        best = (0.0, 0.5)
        for t in np.arange(0.05, 0.95, 0.025):
            predicted = (best_label == c) & (best_p >= t)
            tp = (predicted & (labels == c)).sum()
            f1 = 2 * tp / (predicted.sum() + gold) if predicted.sum() + gold else 0.0
            if f1 > best[0]:
                best = (f1, float(round(t, 3)))
        thresholds[label] = best[1]
        print(f"{label}: threshold {best[1]:.3f}, phrase F1 {100 * best[0]:.1f}")
    return thresholds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--l2", type=float, default=1e-4)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.time()
    nlp = build_nlp(Gazetteer.load())
    tagger = RoleTagger(load_codebook(), nlp.tokenizer)
    train = examples(args.train, nlp, tagger)
    dev = examples(args.dev, nlp, tagger)
    print(f"{len(train)} training and {len(dev)} dev phrases, parsed in {time.time() - started:.0f}s", flush=True)
    counts: dict[str, int] = {}
    for features, _, _ in train:
        for f in features:
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, c in counts.items() if c >= args.min_count)
    index = {f: i for i, f in enumerate(vocab)}
    w = fit(*encode(train, index), len(vocab), args.epochs, args.l2, args.lr, args.seed)
    thresholds = choose_thresholds(w, dev, index)
    weights = {f: [round(float(x), 4) for x in w[i]] for f, i in index.items() if np.abs(w[i]).max() >= 1e-3}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as f:
        json.dump({"labels": CLASSES, "thresholds": thresholds, "weights": weights}, f, separators=(",", ":"))
    print(f"{len(weights)} features -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
