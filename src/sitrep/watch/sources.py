"""What `sitrep watch` follows: feeds (http/https URLs) and folders of report files, given on the command
line or in a sources file (YAML or TOML) with a name, the outlet's default country, its language and a
poll interval for each.

    # watch.yaml                               # watch.toml
    every: 15m                                 every = "15m"
    sources:                                   [[sources]]
      - url: https://example.org/rss.xml       url = "https://example.org/rss.xml"
        name: Example Daily                    name = "Example Daily"
        country: SY                            country = "SY"
        language: en                           language = "en"
        every: 30m                             every = "30m"
      - path: /srv/drops                       [[sources]]
                                               path = "/srv/drops"
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sitrep.records import country_code

__all__ = ["DEFAULT_EVERY_S", "Source", "SourcesError", "load_sources", "parse_duration", "source_from_arg"]

DEFAULT_EVERY_S = 15 * 60
MIN_EVERY_S = 1

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)?", re.IGNORECASE)
_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


class SourcesError(ValueError):
    """A source or sources file that cannot be used; the message says which and why."""


def parse_duration(value: str | int | float) -> float:
    """Seconds in a duration: `15m`, `1h30m`, `90s`, `2d`, `500ms`, or a bare number of seconds.
    ValueError when it is not one, or not above zero."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = value.strip().replace(" ", "")
        parts = list(_DURATION.finditer(text))
        if not text or not parts or "".join(p.group(0) for p in parts) != text:
            raise ValueError(f"not a duration: {value!r} (e.g. 15m, 1h30m, 90s)")
        seconds = sum(float(p.group(1)) * _UNITS[(p.group(2) or "s").lower()] for p in parts)
    if not seconds > 0 or seconds > 366 * 86400:
        raise ValueError(f"a duration must be above zero and at most a year, not {value!r}")
    return seconds


class Source(BaseModel):
    """One feed or folder to watch. `url` is the feed's http(s) URL or the folder's absolute path
    (its identity in the ledger's watch state)."""

    model_config = ConfigDict(frozen=True)

    url: str
    kind: Literal["feed", "folder"]
    name: str | None = None  # the outlet's name, given in a sources file: the source of its reports
    country: str | None = None  # ISO 3166 alpha-2 code of the outlet's country
    language: str | None = None  # its language (sent as Accept-Language)
    every_s: float = DEFAULT_EVERY_S

    @property
    def path(self) -> Path:
        return Path(self.url)

    @property
    def label(self) -> str:
        """How logs name it: its name, else the feed's host or the folder's path."""
        return self.name or (urlsplit(self.url).netloc if self.kind == "feed" else self.url)


class _Entry(BaseModel):
    """One entry of a sources file, as written."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    path: str | None = None
    name: str | None = None
    country: str | None = None
    language: str | None = None
    every: str | float | None = Field(default=None)

    @model_validator(mode="after")
    def _one_place(self) -> "_Entry":
        if (self.url is None) == (self.path is None):
            raise ValueError("give either url (a feed) or path (a folder)")
        return self

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else country_code(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.match(value.strip()):
            raise ValueError(f"{value!r} is not a language code (e.g. en, fr, ar, pt-BR)")
        return value.strip() if value is not None else None

    @field_validator("every")
    @classmethod
    def _every(cls, value: str | float | None) -> str | float | None:
        if value is not None:
            parse_duration(value)
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    every: str | float | None = None
    country: str | None = None
    language: str | None = None
    sources: list[_Entry]


def source_from_arg(value: str, *, every_s: float = DEFAULT_EVERY_S, country: str | None = None,
                    name: str | None = None, language: str | None = None, base: Path | None = None) -> Source:
    """The Source a command-line SOURCE (or a sources file entry) names: an http(s) URL is a feed,
    anything else a local folder or file (relative to `base`, default the working folder). SourcesError."""
    text = value.strip()
    scheme = urlsplit(text).scheme.lower() if "://" in text else ""
    if scheme in ("http", "https"):
        parts = urlsplit(text)
        if not parts.hostname:
            raise SourcesError(f"{value!r}: a feed URL needs a host")
        return Source(url=text, kind="feed", name=name, country=country, language=language, every_s=every_s)
    if scheme == "file":
        text = urlsplit(text).path
    elif scheme:
        raise SourcesError(f"{value!r}: sitrep watches http:// and https:// feeds and local folders, not {scheme}://")
    path = Path(text).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    path = path.resolve()
    if not path.exists():
        raise SourcesError(f"{value!r}: no such folder or file")
    return Source(url=str(path), kind="folder", name=name, country=country, language=language, every_s=every_s)


def load_sources(path: Path, *, every_s: float = DEFAULT_EVERY_S, country: str | None = None) -> list[Source]:
    """The sources a YAML (.yaml, .yml) or TOML (.toml) file lists. The file's own `every`, `country` and
    `language` are the defaults of its entries; `every_s` and `country` (the command line's) are theirs.
    SourcesError naming the file and the entry for anything wrong."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        if path.suffix.lower() == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        else:
            data = yaml.safe_load(raw)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
        kind = "TOML" if path.suffix.lower() == ".toml" else "YAML"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourcesError(f"{path}: not valid {kind} ({first})") from None
    if isinstance(data, list):
        data = {"sources": data}
    if not isinstance(data, dict):
        raise SourcesError(f"{path}: expected a list of sources, or a 'sources' list")
    try:
        spec = _File.model_validate(data)
    except ValidationError as exc:
        raise SourcesError(f"{path}: {_first_error(exc)}") from None
    if spec.country is not None:
        try:
            country = country_code(spec.country)
        except ValueError as exc:
            raise SourcesError(f"{path}: country: {exc}") from None
    default_every = parse_duration(spec.every) if spec.every is not None else every_s
    sources: list[Source] = []
    for number, entry in enumerate(spec.sources, 1):
        try:
            source = source_from_arg(
                entry.url or entry.path or "", name=entry.name, country=entry.country or country,
                language=entry.language or spec.language, base=path.parent,
                every_s=parse_duration(entry.every) if entry.every is not None else default_every)
        except SourcesError as exc:
            raise SourcesError(f"{path}: source {number}: {exc}") from None
        if entry.url is not None and source.kind != "feed" and "://" not in entry.url:
            raise SourcesError(f"{path}: source {number}: url {entry.url!r} is not an http(s) URL (use path: for a folder)")
        sources.append(source)
    if not sources:
        raise SourcesError(f"{path}: lists no sources")
    return unique_sources(sources)


def unique_sources(sources: list[Source]) -> list[Source]:
    """The sources with each URL or folder once (the first entry kept)."""
    first: dict[str, Source] = {}
    for source in sources:
        first.setdefault(source.url, source)
    return list(first.values())


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ()))
    where = re.sub(r"^sources\.(\d+)", lambda m: f"source {int(m.group(1)) + 1}", where)
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = "unknown key (known: url, path, name, country, language, every)"
    return f"{where}: {message}" if where else message
