"""The fitted weights shipped with sitrep (plain .npz arrays, each written by a `make train-*` target; see
training/README.md), and how a stage reads its own."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import BinaryIO, TypeVar

T = TypeVar("T")


def read_shipped(file_name: str, read: Callable[[BinaryIO], T]) -> T | None:
    """`read` applied to the shipped weights file `file_name`; None when it is absent."""
    ref = resources.files(__name__).joinpath(file_name)
    if not ref.is_file():
        return None
    with ref.open("rb") as f:
        return read(f)
