"""Temporal expressions in a sentence, resolved against the publication date.

Rules (all matching is case-insensitive, so MUC-4's lower-case text works):

- Absolute forms: ISO "2016-05-23", "23 May [2016]", "May 23[, 2016]", "(12 jan 90)" -> day;
  "May 2016" or a context month ("in May", "since March", bare "January") -> month, dated the 1st;
  a year in a temporal context ("in 1986", "since 2011", "of 1986", "mid-2014") -> year, dated
  January 1st (never an invented day or month). A missing year is the publication year, or the
  year before when that would put the date after publication. "may" and "march" count as months
  only next to a day number or after a preposition ("in may"), never as the modal or the noun.
- Relative forms need `published` and are skipped without it: "yesterday" -1 day; "today",
  "this morning", "tonight" 0; "last night" and "overnight" -1 day (a report mentioning
  "overnight" is nearly always published the morning after; when a weekday or date follows,
  as in "overnight Tuesday", or the same text names another day, that expression dates it instead); a weekday -> the most recent
  such day on or before publication ("last Tuesday": strictly before; "next Tuesday": skipped);
  "last week" -7 days (week); "this week" (week); "last month"/"this month" (month);
  "last year"/"this year" (year); "N days/weeks/months/years ago"; "a year and a half ago"
  (month); "the previous day" and "the following day" -> one day from the last day-precision date found earlier in the same
  text ("the previous day" falls back to published -1).
- "last weekend", "over the weekend" -> the latest Saturday before publication (week).
- A date is `reporting` when it dates the report or a statement, not an act: after a verb of saying or of
  a court or police step ("police said Friday", "told reporters Friday", "arraigned Wednesday",
  "charged Thursday"), or a publication stamp ("Published: April 10, 2007", "Posted: Tuesday, March 31,
  2015 5:46 PM EDT", "Friday, Sep 10, 2010 | Updated 8:52 PM"). Grouping dates an incident by its act.
- Each character is used by at most one expression; offsets are `offset`-shifted.
- A date that would fall outside the calendar (before 0001-01-01 or after 9999-12-31, as "yesterday"
  in a report dated 0001-01-01) is no date: the expression is skipped, never an exception.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from sitrep.records import DateExpr

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

_MON_ANY = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
            r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_MON = rf"(?P<mon>{_MON_ANY})"
_MON_FULL = (r"(?P<mon>january|february|march|april|may|june|july|august|september|"
             r"october|november|december)")
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_OPT_WEEKDAY = rf"(?:{_WEEKDAY},?\s+(?:the\s+)?)?"
# "5 may be", "may 5 people": the modal, not the month.
_NOT_MODAL = (r"(?!\s+(?:be|been|have|not|also|well|never|still|soon|yet|already|rise|increase|"
              r"continue|face|need|die|take|become|include|lose|remain|get|go|come|seem)\b)")
_TEMPORAL_PREP = (r"(?:in|since|during|until|till|by|from|through|before|after|early|late|"
                  r"around|of|throughout|(?:the\s+)?(?:end|start|beginning|middle)\s+of)")
_NUM = r"(?P<n>\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_ISO = _c(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_DMY = _c(rf"\b{_OPT_WEEKDAY}(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}\b{_NOT_MODAL}"
          r"(?:,?\s+(?P<y>\d{4}|\d{2})\b(?![,.]?\d))?")
_MDY = _c(rf"\b{_OPT_WEEKDAY}{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.:]?\d|\s*%)"
          r"(?:,?\s+(?P<y>\d{4})\b)?")
_MONTH_YEAR = _c(rf"\b{_MON_FULL}\s+(?:of\s+)?(?P<y>\d{{4}})\b")
_CONTEXT_MONTH = _c(rf"(?:\b{_TEMPORAL_PREP}\s+|\bmid-?|\blast\s+|\bthis\s+){_MON_FULL}\b"
                    r"(?!\s+\d)")
_BARE_MONTH = _c(r"\b(?P<mon>january|february|april|june|july|august|september|october|"
                 r"november|december)\b(?!\s+\d)")
_YEAR = _c(rf"(?:\b{_TEMPORAL_PREP}\s+(?:the\s+year\s+)?|\bmid-|\byear\s+)"
           r"(?P<y>1[89]\d\d|20\d\d)\b(?![-–/,.]?\d)(?!\s+(?:people|persons|men|women|children|"
           r"civilians|soldiers|troops|fighters|dead|killed|injured|wounded)\b)")
_RELATIVE = _c(
    r"\b(?:(?P<d2>the\s+day\s+before\s+yesterday)|(?P<d1>yesterday|last\s+night|overnight)"
    r"|(?P<d0>(?:earlier\s+)?today|this\s+(?:morning|afternoon|evening)|tonight)"
    r"|(?P<prev>the\s+(?:previous|preceding)\s+day|the\s+day\s+before)"
    r"|(?P<next>the\s+(?:following|next)\s+day)"
    r"|(?P<weekend>(?:last|past|this|over\s+the)\s+weekend)"
    r"|(?P<lastunit>last|past|previous)\s+(?P<lu>week|month|year)"
    r"|(?P<thisunit>(?:(?:earlier|so\s+far|later)\s+)?this)\s+(?P<tu>week|month|year)"
    rf"|{_NUM}\s+(?P<unit>day|week|month|year)s?\s+(?P<half>and\s+a\s+half\s+)?ago)\b"
)
_WEEKDAY_RE = _c(rf"\b(?:(?P<mod>last|this|past|next)\s+)?(?P<wd>{_WEEKDAY})\b")
_FOLLOWS_DATE = _c(rf"\s*(?:into\s+|on\s+)?(?:{_WEEKDAY}|\d{{1,2}}\s+{_MON_ANY}|{_MON_ANY}\s+\d)")


def _year_for(month: int, day: int, published: dt.date) -> int:
    """The publication year, or the one before if that would be after publication."""
    year = published.year
    if (month, day) > (published.month, published.day):
        year -= 1
    return year


def _month_start(year: int, month: int, delta: int = 0) -> dt.date:
    index = year * 12 + month - 1 + delta
    return dt.date(index // 12, index % 12 + 1, 1)


def _two_digit_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 50 else 2000
    return year


def _ymd(m: re.Match[str], published: dt.date | None) -> tuple[dt.date, str] | None:
    month = _MONTHS[m["mon"][:3].lower()]
    day = int(m["d"])
    if m["y"]:
        year = _two_digit_year(m["y"])
    elif published is not None:
        year = _year_for(month, day, published)
    else:
        return None
    return dt.date(year, month, day), "day"


def _iso(m: re.Match[str], published: dt.date | None) -> tuple[dt.date, str] | None:
    return dt.date(int(m["y"]), int(m["m"]), int(m["d"])), "day"


def _month_year(m: re.Match[str], published: dt.date | None) -> tuple[dt.date, str] | None:
    return dt.date(int(m["y"]), _MONTHS[m["mon"][:3].lower()], 1), "month"


def _month(m: re.Match[str], published: dt.date | None) -> tuple[dt.date, str] | None:
    if published is None:
        return None
    month = _MONTHS[m["mon"][:3].lower()]
    year = published.year - (month > published.month)
    if m.group(0).lower().startswith("last") and month == published.month:
        year -= 1
    return dt.date(year, month, 1), "month"


def _year(m: re.Match[str], published: dt.date | None) -> tuple[dt.date, str] | None:
    return dt.date(int(m["y"]), 1, 1), "year"


def _weekday(m: re.Match[str], published: dt.date | None) -> tuple[dt.date, str] | None:
    mod = (m["mod"] or "").lower()
    if published is None or mod == "next":
        return None
    back = (published.weekday() - _WEEKDAYS[m["wd"].lower()]) % 7
    if back == 0 and mod in ("last", "past"):
        back = 7
    return published - dt.timedelta(days=back), "day"


# Substrings of the lower-cased text without which a pattern cannot match: a cheap gate.
_DIGIT_HINTS = tuple("0123456789")
_MONTH_HINTS = tuple(_MONTHS)
_RELATIVE_HINTS = ("yesterday", "today", "tonight", "night", "morning", "afternoon", "evening",
                   "day", "week", "month", "year")
# what makes a date the report's or a statement's: a verb of saying or a court or police step right before
_STATEMENT_BEFORE = re.compile(
    r"\b(?:said|says|told\s+(?:(?!after\b|before\b|during\b|following\b|since\b)[\w.'’-]+\s+){0,3}?"
    r"(?:reporters|police|officers|investigators|deputies|"
    r"the\s+\w+)|announced|confirmed|stated|added|explained|noted|testified|reported|"
    r"arraigned|charged|indicted|sentenced|identified|released|arrested)"
    r"(?:\s+(?:in|at|during)\s+a\s+(?:[\w-]+\s+){0,2}?(?:statement|release|conference|briefing|interview))?"
    r"\s+(?:late\s+|early\s+|on\s+)?$", re.IGNORECASE)
_STAMP_BEFORE = re.compile(r"\b(?:published|posted|updated|last\s+modified|created)\s*(?:on|at)?\s*:?\s*$",
                           re.IGNORECASE)
_STAMP_AFTER = re.compile(r"^\s*(?:\||at\s+)?\s*(?:\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}\b)?|"
                          r"updated\b)", re.IGNORECASE)


def _reporting(text: str, start: int, end: int, precision: str) -> bool:
    """Does the expression at text[start:end] date the report or a statement (see the module docstring)?"""
    before = text[max(0, start - 80):start]
    if _STATEMENT_BEFORE.search(before) or _STAMP_BEFORE.search(before):
        return True
    # a full date with its year followed by a clock time or "| Updated": the page's time stamp
    return precision == "day" and bool(re.search(r"\d{4}\s*$", text[start:end])) and bool(
        _STAMP_AFTER.match(text[end:end + 20]))
_PATTERNS: list[tuple[re.Pattern[str], str, Callable, tuple[str, ...]]] = [
    (_ISO, "", _iso, ("-",)),
    (_DMY, "", _ymd, _MONTH_HINTS),
    (_MDY, "", _ymd, _MONTH_HINTS),
    (_MONTH_YEAR, "mon", _month_year, _MONTH_HINTS),
    (_CONTEXT_MONTH, "mon", _month, _MONTH_HINTS),
    (_BARE_MONTH, "mon", _month, _MONTH_HINTS),
    (_YEAR, "y", _year, _DIGIT_HINTS),
    (_WEEKDAY_RE, "", _weekday, ("day",)),
]


def _relative(m: re.Match[str], published: dt.date, anchor: dt.date | None,
              text: str) -> tuple[dt.date, str] | None:
    """Resolve one `_RELATIVE` match."""
    if m["d2"]:
        return published - dt.timedelta(days=2), "day"
    if m["d1"]:
        if m["d1"].lower() == "overnight" and _FOLLOWS_DATE.match(text, m.end()):
            return None
        return published - dt.timedelta(days=1), "day"
    if m["d0"]:
        return published, "day"
    if m["prev"]:
        return (anchor or published) - dt.timedelta(days=1), "day"
    if m["next"]:
        return (anchor + dt.timedelta(days=1), "day") if anchor else None
    if m["weekend"]:
        back = (published.weekday() - 5) % 7 or (7 if m["weekend"].lower().startswith(("last", "past")) else 0)
        return published - dt.timedelta(days=back), "week"
    unit = (m["lu"] or m["tu"] or m["unit"]).lower()
    n = -1 if m["lastunit"] else 0 if m["thisunit"] else -(
        int(m["n"]) if m["n"].isdigit() else _NUMBER_WORDS[m["n"].lower()])
    if unit == "day":
        return published + dt.timedelta(days=n), "day"
    if unit == "week":
        return published + dt.timedelta(weeks=n), "week"
    if unit == "year" and m["half"]:  # "a year and a half ago"
        return _month_start(published.year, published.month, 12 * n - 6), "month"
    if unit == "month":
        return _month_start(published.year, published.month, n), "month"
    return dt.date(published.year + n, 1, 1), "year"


def _resolved(resolve: Callable[..., tuple[dt.date, str] | None], *args) -> tuple[dt.date, str] | None:
    """A resolver's answer, or None for a date that does not exist: 31 February, month 13, or one outside
    dt.date.min..dt.date.max (date arithmetic raises OverflowError there, the constructor ValueError)."""
    try:
        return resolve(*args)
    except (ValueError, OverflowError):
        return None


def find_dates(text: str, published: dt.date | None, offset: int = 0) -> list[DateExpr]:
    """Every temporal expression in `text`, resolved against `published`, in text order."""
    lowered = text.lower()
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, dt.date, str]] = []

    def claim(start: int, end: int, resolved: tuple[dt.date, str] | None) -> None:
        if resolved is not None and not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            found.append((start, end, *resolved))

    for pattern, group, resolve, hints in _PATTERNS:
        if not any(h in lowered for h in hints):
            continue
        for m in pattern.finditer(text):
            claim(m.start(group) if group else m.start(), m.end(), _resolved(resolve, m, published))
    if published is not None and any(h in lowered for h in _RELATIVE_HINTS):
        for m in _RELATIVE.finditer(text):
            earlier = [f for f in found if f[0] < m.start() and f[3] == "day"]
            anchor = max(earlier)[2] if earlier else None
            claim(m.start(), m.end(), _resolved(_relative, m, published, anchor, text))
    days = [f for f in found if f[3] == "day" and lowered[f[0]:f[1]] != "overnight"]
    if days:  # "an overnight confrontation ... escalated into gunfire Friday": Friday dates it
        found = [f for f in found if lowered[f[0]:f[1]] != "overnight"]
    found.sort()
    return [
        DateExpr(start=s + offset, end=e + offset, text=text[s:e], date=d, precision=p,
                 reporting=_reporting(text, s, e, p))
        for s, e, d, p in found
    ]
