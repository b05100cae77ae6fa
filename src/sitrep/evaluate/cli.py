"""`sitrep eval ...`: the benchmark commands. Each benchmark module registers its own command here.

The modules (and what they import: the ledger, the pipeline's records) are imported only when `sitrep eval`
is used, so that every other command starts without them.
"""

from __future__ import annotations

import importlib

import typer
from typer.core import TyperGroup

BENCHMARKS = ("casualties", "muc4", "merge", "types", "geo")  # modules of sitrep.evaluate, in the order listed


class _Benchmarks(TyperGroup):
    """The `eval` group: its commands are built from the benchmark modules on first use."""

    _loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for name in BENCHMARKS:
            importlib.import_module(f"sitrep.evaluate.{name}")  # registers its command(s) on eval_app
        for info in eval_app.registered_commands:
            command = typer.main.get_command_from_info(info, pretty_exceptions_short=True,
                                                       rich_markup_mode=self.rich_markup_mode)
            self.add_command(command)

    def list_commands(self, ctx):
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        self._load()
        return super().get_command(ctx, cmd_name)


eval_app = typer.Typer(cls=_Benchmarks, help="Score sitrep against evaluation data (MUC-4, GVC, ACLED ...).",
                       no_args_is_help=True, rich_markup_mode=None)
