"""The text signature of a report: the distinctive terms two reports of one incident share.

Reports of one shooting or bombing name the same victims, streets, neighbourhoods, ages and block
numbers; reports of different incidents in the same town share only the town and the police. A
signature is a bag of such terms:

- capitalised words written capitalised somewhere other than a sentence start and never in lower
  case in the report (names: "Westerhuis", "Mossfield", "Bastrop"), minus a stop list of words that
  every crime report capitalises (days, months, titles, "Police", "County") and page furniture;
- "<N> block" addresses and "<N>-year-old" ages.

Broadcast call signs (KDKA, WISH) and network names identify the publisher, not the incident, and
are dropped. Terms are weighted by inverse document frequency over the ledger's reports
(`term_stats`), so a city every report names counts for little and a victim's surname for much.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping

MIN_LENGTH = 3
TOP_KEYS = 12  # terms per report used as blocking keys

_STOP = frozenset("""
the and but for from with this that these those his her their them our your its who what when
where while there here how why not all any one two three four five six seven eight nine ten
first second third new said says according after before also just more most only over under
monday tuesday wednesday thursday friday saturday sunday today yesterday tonight
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec
police officer officers department dept sheriff sheriffs county city town village township state
street avenue road lane drive boulevard court place highway parkway way circle trail
chief sgt lt det detective detectives capt captain deputy deputies sergeant lieutenant officer
investigator investigators authorities spokesman spokeswoman spokesperson
mr mrs ms miss dr jr sr
north south east west northeast northwest southeast southwest northern southern eastern western
news local video photo photos image images caption close read share tweet email print comment comments
copyright rights reserved associated press update updated breaking live watch click here subscribe
subscriber newsletter newsletters advertisement sponsored javascript cookie cookies privacy policy
facebook twitter instagram youtube google linkedin pinterest reddit whatsapp snapchat
cbs nbc abc fox cnn msnbc npr wire staff reporter writer editor contributed report reports
inc llc corp page home sign log account site menu search
american america united states usa u.s
""".split())
_NETWORKS = re.compile(r"^(?:[KW][A-Z]{2,3}(?:-?TV)?)$")  # US broadcast call signs
_TOKEN = re.compile(r"\d{1,5}(?:-year-old|\s+block)\b|[^\W\d_][\w'’\-]*", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?\"”])\s+|\n+|\s[-–—]\s")


def fold(text: str) -> str:
    """Lower-case ASCII form of a name ("São Paulo" -> "sao paulo")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _clean(word: str) -> str:
    word = fold(word).strip("'’-")
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


def terms(text: str, title: str | None = None) -> dict[str, int]:
    """The report's signature: distinctive term -> count."""
    capitalised: Counter[str] = Counter()
    lower: set[str] = set()
    numbers: Counter[str] = Counter()
    parts = [text] if not title or text.lstrip().startswith(title.strip()) else [title, text]
    for part in parts:
        for sentence in _SENTENCE.split(part):
            first = True
            for match in _TOKEN.finditer(sentence):
                word = match.group(0)
                if word[0].isdigit():
                    numbers[" ".join(word.lower().split())] += 1
                    first = False
                    continue
                clean = _clean(word)
                if word[0].isupper():
                    if _NETWORKS.match(word):
                        lower.add(clean)  # never a term
                    elif not first:
                        capitalised[clean] += 1
                else:
                    lower.add(clean)
                first = False
    out = {
        w: n for w, n in capitalised.items()
        if len(w) >= MIN_LENGTH and w not in lower and w not in _STOP and not w.isdigit()
    }
    out.update(numbers)
    return out


def idf(df: int, n_docs: int) -> float:
    """Inverse document frequency (smoothed; a term no report had yet weighs the most)."""
    return math.log((n_docs + 1) / (df + 0.5)) + 0.1


def weights(signature: Mapping[str, int], df: Mapping[str, int], n_docs: int) -> dict[str, float]:
    """tf-idf weights (sub-linear term frequency)."""
    return {
        t: (1.0 + math.log(c)) * idf(df.get(t, 0), n_docs) for t, c in signature.items() if c > 0
    }


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine similarity of two weighted term vectors (0 when either is empty)."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b[t] for t, w in a.items() if t in b)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))


def top_terms(signature: Mapping[str, int], df: Mapping[str, int], n_docs: int, k: int = TOP_KEYS) -> list[str]:
    """The k terms that best identify the report (highest tf-idf; ties by term for determinism)."""
    weighted = weights(signature, df, n_docs)
    return [t for t, _ in sorted(weighted.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]


def merge_terms(*signatures: Mapping[str, int]) -> dict[str, int]:
    """The union of signatures (counts added)."""
    out: Counter[str] = Counter()
    for signature in signatures:
        out.update(signature)
    return dict(out)
