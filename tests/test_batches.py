"""Parsing in batches bounded by size (sitrep.nlp.batches): texts cut into pieces join back exactly, no
batch holds more than its share of characters, and results come back in order with their contexts."""

from __future__ import annotations

import spacy

from sitrep.nlp import batches


def test_pieces_join_back_and_are_cut_after_line_breaks():
    text = "Gunmen killed two farmers.\n\nPolice said   the attack  was at dawn.\nNo group claimed it. " * 7
    for limit in (12, 30, 64, 100, len(text)):
        parts = batches.pieces(text, limit)
        assert "".join(parts) == text and all(len(p) <= limit for p in parts)
    parts = batches.pieces(text, 100)
    assert len(parts) > 1 and all(p.endswith("\n") or p.endswith("\n\n") for p in parts[:-1])
    assert [len(p) for p in batches.pieces("x" * 25, 10)] == [10, 10, 5]  # no white space: cut anywhere
    assert batches.pieces("one two  three", 8) == ["one ", "two  ", "three"]  # a run of spaces is not split


class CountingNlp:
    """A blank English pipeline that records the characters of each batch it is given."""

    def __init__(self) -> None:
        self.nlp = spacy.blank("en")
        self.batches: list[int] = []

    def pipe(self, items, **options):
        items = list(items)
        self.batches.append(sum(len(text) for text, _ in items))
        return self.nlp.pipe(items, **options)


def test_parse_bounds_every_batch_and_keeps_order_and_offsets():
    texts = ["A bomb killed four people in Gao. " * n + "\n" for n in (1, 9, 2, 30, 1, 1, 12)]
    counting = CountingNlp()
    parsed = list(batches.parse(counting, ((t, i) for i, t in enumerate(texts)), batch_size=3, max_chars=200))
    assert [context for _, context in parsed] == list(range(len(texts)))
    assert [doc.text for doc, _ in parsed] == texts  # long texts were cut and joined again, characters intact
    assert max(counting.batches) <= 200 and len(counting.batches) > len(texts) // 3
    long_doc = parsed[3][0]
    assert [t.idx for t in long_doc] == [t.idx for t in counting.nlp(texts[3])]  # same tokens, same offsets
