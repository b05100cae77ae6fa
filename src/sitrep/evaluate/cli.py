"""`sitrep eval ...`: the benchmark commands. Each benchmark module registers its own command here."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Score sitrep against evaluation data (MUC-4, GVC, ACLED ...).", no_args_is_help=True)

# benchmark commands register themselves on eval_app when imported
from sitrep.evaluate import casualties as _casualties  # noqa: E402,F401
from sitrep.evaluate import muc4 as _muc4  # noqa: E402,F401
from sitrep.evaluate import merge as _merge  # noqa: E402,F401
from sitrep.evaluate import types as _types  # noqa: E402,F401
from sitrep.evaluate import geo as _geo  # noqa: E402,F401
