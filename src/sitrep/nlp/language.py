"""Which language a report is written in, so that a report sitrep cannot read yet is skipped with the
reason instead of being coded as nothing.

`language(text)` is the ISO 639-1 code ("en", "fr", "zh"), or None when unsure. It is built so that English
is never misjudged, since English is what the pipeline codes: a text counts as English when common English
function words ("the", "of", "were", "said") make up a fair share of its words, whatever the statistical
detector says (MUC-4's lower-cased transcripts, English full of foreign names, cookie walls); and a text is
called another language only when the detector (langdetect, seeded for determinism) is confident, the text
is long enough for that to mean something (headlines are not), and English function words are rare.
"""

from __future__ import annotations

import re
from functools import cache

ENGLISH = "en"
MIN_CHARS = 200  # shorter (a headline, a caption, crawl noise) is too short to call anything but English
MIN_SCRIPT_LETTERS = 50  # ... unless this many letters of a non-Latin script make up most of it
CONFIDENT = 0.9  # langdetect's probability for its best language
ENGLISH_SHARE = 0.10  # this share of function words among the word tokens is English, whatever else
RARE_SHARE = 0.04  # a text is only called another language when English function words are rarer than this
SAMPLE_CHARS = 5000  # the language of a report is that of its first few thousand characters

# Common English function words that are not also frequent words of another language written in Latin
# script (no "a", "in", "on", "an", "die", "is", "to", "of", "at", "as", "so", "or", "be", "over", "under":
# Spanish, German, Dutch, Italian, Scandinavian, Slavic or French text is full of them). A few rarer
# homographs ("was", "will", "also" in German, "for", "her", "by" in Danish) stay well under RARE_SHARE.
_FUNCTION_WORDS = frozenset("""
the and that with from this these those was were been have has had are which who whom whose would
could should will their they them there when after where while said says not but into than about also
its it's his he she him her what being because during before against between until for by
""".split())
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")


def english_share(text: str) -> float:
    """The share of English function words among the text's word tokens (0 when it has none)."""
    words = _WORD.findall(text.lower())
    if not words:
        return 0.0
    return sum(w in _FUNCTION_WORDS for w in words) / len(words)


def _non_latin_letters(text: str) -> int:
    letters = sum(c.isalpha() for c in text)
    return letters - len(_LATIN.findall(text))


@cache
def _detector():
    from langdetect import DetectorFactory, detect_langs

    DetectorFactory.seed = 0  # langdetect samples at random: seeded, the same text gets the same answer
    return detect_langs


def language(text: str) -> str | None:
    """ISO 639-1 code of the text's language; "en" when English function words say so, None when unsure
    (too short, the detector unsure, or it disagrees with the function words)."""
    sample = text[:SAMPLE_CHARS]
    share = english_share(sample)
    if share >= ENGLISH_SHARE:
        return ENGLISH
    stripped = sample.strip()
    other_script = _non_latin_letters(stripped)
    long_enough = len(stripped) >= MIN_CHARS or (
        other_script >= MIN_SCRIPT_LETTERS and other_script * 2 >= sum(c.isalpha() for c in stripped))
    if not long_enough:
        return None
    try:
        best = _detector()(stripped)[0]
    except Exception:  # langdetect.LangDetectException: no letters to judge by
        return None
    code = best.lang.split("-")[0]  # "zh-cn", "zh-tw": zh
    if code == ENGLISH:
        return ENGLISH
    if best.prob < CONFIDENT or share >= RARE_SHARE:
        return None
    return code


def unsupported(text: str) -> str | None:
    """The code of the text's language when it is surely not English (sitrep reads English only), else None."""
    code = language(text)
    return code if code is not None and code != ENGLISH else None
