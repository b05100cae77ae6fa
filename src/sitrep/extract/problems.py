"""Stage isolation: a stage that raises on (part of) a report costs only that part, recorded as a
`CodingProblem` with the error and where sitrep raised it ("IndexError: list index out of range
(figures.py:547)"). The one helper every stage boundary uses is `attempt`.

`problems` is the list a report's problems go to; None means strict: the exception propagates (tests and
debugging run strict, `Pipeline(strict=True)`)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sitrep.records import CodingProblem

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent.parent  # src/sitrep
MAX_MESSAGE = 300  # characters of the exception's message kept in a problem's detail


def site(exc: BaseException) -> str | None:
    """"figures.py:547": the innermost frame of the exception's traceback in sitrep's own code (None when
    no frame is sitrep's)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(_PACKAGE):
            return f"{path.name}:{frame.lineno}"
    return None


def describe(exc: BaseException) -> str:
    """"<ExcType>: <message> (<file>.py:<line>)", the message cut to MAX_MESSAGE characters."""
    message = " ".join(str(exc).split())
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 1] + "…"
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    where = site(exc)
    return f"{text} ({where})" if where else text


def problem(stage: str, exc: BaseException, start: int | None = None, end: int | None = None) -> CodingProblem:
    return CodingProblem(stage=stage, detail=describe(exc), start=start, end=end)


def attempt(stage: str, problems: list[CodingProblem] | None, fn: Callable[..., T], *args,
            fallback: T = None, start: int | None = None, end: int | None = None, **kwargs) -> T:
    """`fn(*args, **kwargs)`; when it raises, `fallback`, with the error appended to `problems` as a
    problem of `stage` over the text span start..end (where the stage has one). With `problems` None
    (strict) the exception propagates. Only `Exception`s are caught: Ctrl+C still stops a run."""
    if problems is None:
        return fn(*args, **kwargs)
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the point: one stage's failure is recorded, not raised
        problems.append(problem(stage, exc, start, end))
        return fallback
