"""`sitrep eval ...`: the benchmark commands. Each benchmark module registers its own command here."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Score sitrep against evaluation data (MUC-4, GVC, ACLED ...).", no_args_is_help=True)
