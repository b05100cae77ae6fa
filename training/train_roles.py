"""Train the role tagger (sitrep.extract.roles) on MUC-4 and write its weights.

    python training/train_roles.py --train ../shared/data/muc4/train.jsonl --dev ../shared/data/muc4/dev.jsonl \
        --out src/sitrep/models/roles.npz

Each document is parsed by sitrep's own pipeline; every candidate phrase (sitrep.extract.roles.candidates)
whose normalised text is a gold role mention of the document gets that role, every other phrase NONE.
The model (summed feature embeddings, one ReLU layer, softmax) is fitted on train.jsonl only, by Adam for
a fixed number of epochs from a fixed seed. The per-role decision thresholds are the settings chosen on
dev.jsonl: each maximises that role's phrase-level F1 there. CPU only; a few minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from sitrep.codebook import load_codebook
from sitrep.extract.roles import LABELS, NONE, RoleTagger, normalize, write_model
from sitrep.muc4 import ROLE_LABELS
from sitrep.nlp.gazetteer import Gazetteer
from sitrep.nlp.ruler import build_nlp

CLASSES = [NONE, *LABELS]


def examples(path: Path, nlp, tagger: RoleTagger) -> list[tuple[list[str], int, bool]]:
    """(features, class index, whether the document has templates) for every candidate phrase."""
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
            out.append((features, CLASSES.index(gold.get(key, NONE)), bool(record["templates"])))
    return out


class Encoded:
    """Examples as flat feature ids with row offsets, for batched look-ups."""

    def __init__(self, data: list[tuple[list[str], int, bool]], index: dict[str, int]):
        ids, offsets = [], [0]
        for features, _, _ in data:
            ids.extend(index[f] for f in features if f in index)
            offsets.append(len(ids))
        self.ids = np.array(ids, dtype=np.int64)
        self.offsets = np.array(offsets, dtype=np.int64)
        self.labels = np.array([label for _, label, _ in data], dtype=np.int64)
        self.relevant = np.array([relevant for _, _, relevant in data], dtype=bool)

    def batch(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids of the rows, concatenated, and each row's number of ids."""
        lengths = self.offsets[rows + 1] - self.offsets[rows]
        flat = np.concatenate([self.ids[self.offsets[r] : self.offsets[r + 1]] for r in rows])
        return flat, lengths


class Model:
    """Summed feature embeddings -> ReLU hidden layer -> softmax over CLASSES."""

    def __init__(self, n_features: int, hidden: int, seed: int):
        rng = np.random.default_rng(seed)
        self.E = (rng.standard_normal((n_features, hidden)) * 0.01).astype(np.float32)
        self.b1 = np.zeros(hidden, dtype=np.float32)
        self.W = (rng.standard_normal((hidden, len(CLASSES))) * np.sqrt(2 / hidden)).astype(np.float32)
        self.b2 = np.zeros(len(CLASSES), dtype=np.float32)

    def forward(self, flat: np.ndarray, lengths: np.ndarray):
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        summed = np.add.reduceat(self.E[flat], starts, axis=0) if len(flat) else np.zeros((len(lengths), self.E.shape[1]), np.float32)
        summed[lengths == 0] = 0
        z = summed + self.b1
        h = np.maximum(z, 0)
        logits = h @ self.W + self.b2
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return z, h, probs / probs.sum(axis=1, keepdims=True)

    def predict(self, data: Encoded) -> np.ndarray:
        out = []
        for start in range(0, len(data.labels), 2048):
            out.append(self.forward(*data.batch(np.arange(start, min(start + 2048, len(data.labels)))))[2])
        return np.concatenate(out)


def fit(data: Encoded, n_features: int, hidden: int, epochs: int, lr: float, seed: int) -> Model:
    """Mini-batch Adam on the cross-entropy (sparse updates of the embeddings)."""
    model = Model(n_features, hidden, seed)
    params = [model.E, model.b1, model.W, model.b2]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    rng = np.random.default_rng(seed)
    step = 0

    def adam(k: int, grad: np.ndarray, rows: np.ndarray | slice = slice(None)) -> None:
        m, v = moments[k]
        m[rows] = 0.9 * m[rows] + 0.1 * grad
        v[rows] = 0.999 * v[rows] + 0.001 * grad * grad
        params[k][rows] -= lr * (m[rows] / (1 - 0.9**step)) / (np.sqrt(v[rows] / (1 - 0.999**step)) + 1e-8)

    for epoch in range(epochs):
        order = rng.permutation(len(data.labels))
        loss = 0.0
        for start in range(0, len(order), 256):
            rows = order[start : start + 256]
            flat, lengths = data.batch(rows)
            z, h, probs = model.forward(flat, lengths)
            gold = data.labels[rows]
            loss -= np.log(probs[np.arange(len(rows)), gold] + 1e-9).sum()
            probs[np.arange(len(rows)), gold] -= 1
            probs /= len(rows)
            grad_z = (probs @ model.W.T) * (z > 0)
            touched, inverse = np.unique(flat, return_inverse=True)
            grad_e = np.zeros((len(touched), model.E.shape[1]), dtype=np.float32)
            np.add.at(grad_e, inverse, np.repeat(grad_z, lengths, axis=0))
            step += 1
            adam(0, grad_e, touched)
            adam(1, grad_z.sum(axis=0))
            adam(2, h.T @ probs)
            adam(3, probs.sum(axis=0))
        print(f"epoch {epoch + 1}: loss {loss / len(order):.4f}", flush=True)
    return model


def choose_thresholds(model: Model, data: Encoded) -> dict[str, float]:
    """Per role, the probability threshold that maximises phrase-level F1 in the documents with templates
    (where roles are scored), on a curve smoothed over neighbouring thresholds (less noise from few phrases)."""
    probs = model.predict(data)[data.relevant]
    labels = data.labels[data.relevant]
    best_label = probs[:, 1:].argmax(axis=1) + 1
    best_p = probs[np.arange(len(probs)), best_label]
    grid = np.arange(0.02, 0.9, 0.01)
    thresholds = {}
    for c, label in enumerate(CLASSES[1:], start=1):
        gold = int((labels == c).sum())
        f1 = []
        for t in grid:
            predicted = (best_label == c) & (best_p >= t)
            tp = int((predicted & (labels == c)).sum())
            f1.append(2 * tp / (predicted.sum() + gold) if predicted.sum() + gold else 0.0)
        smooth = np.convolve(np.pad(f1, 2, mode="edge"), np.ones(5) / 5, mode="valid")
        k = int(smooth.argmax())
        thresholds[label] = round(float(grid[k]), 3)
        print(f"{label}: threshold {grid[k]:.3f}, dev phrase F1 {100 * f1[k]:.1f}")
    return thresholds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=48)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--min-count", type=int, default=3, help="keep features seen this often in training")
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
    model = fit(Encoded(train, index), len(vocab), args.hidden, args.epochs, args.lr, args.seed)
    thresholds = choose_thresholds(model, Encoded(dev, index))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_model(args.out, vocab, model.E, model.b1, model.W, model.b2, CLASSES, thresholds)
    print(f"{len(vocab)} features -> {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
