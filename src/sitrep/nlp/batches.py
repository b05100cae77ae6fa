"""Parsing in batches bounded by size, so that memory does not follow the longest page.

spaCy's memory during `nlp.pipe` grows with the text of the batch being parsed: about 320 MB for one
100,000-character page with `en_core_web_sm`, 850 MB for 32 texts of 10,000 characters. Batches here hold
at most `batch_size` texts and `max_chars` characters, and a text longer than `max_chars` is parsed in
pieces cut after a line break (else after a space; else anywhere), joined again with `Doc.from_docs`: the
joined Doc has the text's exact characters, so offsets hold. A parse does not depend on the other texts of
its batch; a piece's parse differs from the whole text's only near the cut (a few tokens of context), and
only texts over `max_chars` are cut.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from spacy.language import Language
from spacy.tokens import Doc

MAX_CHARS = 50_000  # characters in one parse batch, and in one piece of a longer text

T = TypeVar("T")
_LINE_BREAK = re.compile(r"\n\s*")
_SPACE = re.compile(r"\s+")


def pieces(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """The text cut into pieces of at most `max_chars` characters that join back into it: each cut after a
    run of white space holding a line break, else after a run of white space, else at `max_chars`."""
    out: list[str] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cuts = [m.end() for m in _LINE_BREAK.finditer(window) if m.end() < len(window)] or \
               [m.end() for m in _SPACE.finditer(window) if m.end() < len(window)]
        end = start + (cuts[-1] if cuts else max_chars)
        out.append(text[start:end])
        start = end
    out.append(text[start:])
    return out


@dataclass
class _Text(Generic[T]):
    context: T
    pieces: list[str]
    docs: list[Doc] = field(default_factory=list)

    def doc(self) -> Doc:
        return self.docs[0] if len(self.docs) == 1 else Doc.from_docs(self.docs, ensure_whitespace=False)


def parse(nlp: Language, items: Iterable[tuple[str, T]], batch_size: int = 32,
          max_chars: int = MAX_CHARS) -> Iterator[tuple[Doc, T]]:
    """`nlp.pipe(items, as_tuples=True)` in batches of at most `batch_size` texts (or pieces) and
    `max_chars` characters; (Doc, context) in the order of `items`, streamed."""
    waiting: deque[_Text[T]] = deque()
    batch: list[tuple[str, _Text[T]]] = []
    size = 0

    def run() -> None:
        for doc, owner in nlp.pipe(batch, as_tuples=True, batch_size=len(batch)):
            owner.docs.append(doc)
        batch.clear()

    def done() -> Iterator[tuple[Doc, T]]:
        while waiting and len(waiting[0].docs) == len(waiting[0].pieces):
            text = waiting.popleft()
            yield text.doc(), text.context

    for content, context in items:
        text = _Text(context, pieces(content, max_chars))
        waiting.append(text)
        for piece in text.pieces:
            if batch and (len(batch) >= batch_size or size + len(piece) > max_chars):
                run()
                size = 0
                yield from done()
            batch.append((piece, text))
            size += len(piece)
    if batch:
        run()
    yield from done()
