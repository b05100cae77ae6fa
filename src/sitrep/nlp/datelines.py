"""Wire and local-news datelines ("KANO, Nigeria (Reuters) -", "SPRINGFIELD, Ill. —"): where a report was
filed, read from plain text (no parse needed), for the parser's sentence starts (`ruler.paragraph_breaks`),
the report's setting and the offset before which nothing happened (`extract/mentions.py`)."""

from __future__ import annotations

import re

# "BEIRUT, March 14 (Levant Wire) -": where the story was filed, not where anything happened.
_DATELINE = re.compile(r"^\s*[A-Za-z][^\n]{0,80}?(\)\s*|\s)(-{1,2}|—|–)\s")


def dateline_end(text: str) -> int:
    """End offset of a wire dateline at the start of the text (0 when there is none)."""
    m = _DATELINE.match(text)
    if not m:
        return 0
    head = text[: m.start(2)]
    first_word = head.split(",")[0].split("(")[0].strip()
    caps = first_word.isupper() or text[:2000].islower()
    return m.end() if caps and len(first_word) >= 3 else 0


_LEAD_DATELINE = re.compile(r"(?:^|\n)[ \t]*(?P<line>(?P<name>[A-Z][A-Z.'’\- ]{2,40}?)(?:,[^\n]{0,40}?)?"
                            r"(?:\([^\n)]{0,40}\))?\s*(?:-{1,2}|—|–)\s)")
LEAD_CHARS = 1500


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the datelines `datelines` finds."""
    return [m.span("line") for m in _LEAD_DATELINE.finditer(text[:LEAD_CHARS])]


def datelines(text: str) -> list[tuple[str, str]]:
    """(place name, whole dateline) of the datelines that open a paragraph of the lead (local news
    puts its own town there, and a title often comes first)."""
    return [(m["name"].strip(), m["line"]) for m in _LEAD_DATELINE.finditer(text[:LEAD_CHARS])]
