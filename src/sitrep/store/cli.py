"""`sitrep db status | upgrade`: where a ledger's schema stands, and migrating it in place.

(Opening a ledger with any other command upgrades it too; these commands make it explicit, e.g.
before pointing a fleet of workers at a PostgreSQL ledger.) Registered on the main app by `sitrep.cli`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine

out = Console()
err = Console(stderr=True)


def database_error(exc: Exception) -> str:
    """The first line of what the database driver said (not SQLAlchemy's whole wrapper)."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def register(app: typer.Typer, db_option: Any, default_db: str, shown) -> None:
    """Add the `db` command group to the `sitrep` app."""
    db_app = typer.Typer(help="The ledger's schema: status and migrations (SQLite or PostgreSQL).",
                         no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(db_app, name="db")

    @contextmanager
    def engine_for(db: str) -> Iterator["Engine"]:
        """The ledger's engine, disposed after use; a database that cannot be reached is a clear error."""
        from sqlalchemy.exc import SQLAlchemyError

        from sitrep.store.ledger import UnsupportedDatabase, make_engine, normalize_db_url

        try:
            engine = make_engine(normalize_db_url(db))
        except UnsupportedDatabase as exc:
            err.print(f"[red]error:[/] cannot keep a ledger at {shown(normalize_db_url(db))}: {exc}",
                      highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        try:
            yield engine
        except SQLAlchemyError as exc:
            err.print(f"[red]error:[/] cannot open the ledger at {shown(str(engine.url))}: {database_error(exc)}",
                      highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        finally:
            engine.dispose()

    @db_app.command("status")
    def status(db: db_option = default_db) -> None:
        """Print the ledger's schema revision; exit 1 when it needs `sitrep db upgrade`."""
        from pathlib import Path

        from sitrep.store import migrate
        from sitrep.store.ledger import normalize_db_url

        url = normalize_db_url(db)
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            out.print(f"{shown(url)}: no ledger there (no such file).", highlight=False, soft_wrap=True)
            raise typer.Exit(1)
        with engine_for(db) as engine:
            state = migrate.state(engine)
        where = shown(str(engine.url))
        if state.up_to_date:
            out.print(f"{where}: at {state.head}, up to date.", highlight=False, soft_wrap=True)
            return
        if state.legacy:
            now = "older than migrations (the schema of revision 0001, unstamped)"
        elif state.current is None:
            now = "no ledger yet (empty database)"
        else:
            now = f"at {state.current}"
        out.print(f"{where}: {now}; the newest revision is {state.head}: run `sitrep db upgrade`.",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(1)

    @db_app.command("upgrade")
    def upgrade(db: db_option = default_db) -> None:
        """Migrate the ledger's schema to the newest revision, in place (data kept)."""
        from sitrep.store import migrate

        with engine_for(db) as engine:
            before = migrate.upgrade(engine)
        if before.up_to_date:
            verb = "already"
        elif before.legacy:
            verb = "upgraded from the schema of ledgers older than migrations; now"
        elif before.current is None:
            verb = "created (empty database);"
        else:
            verb = f"upgraded from {before.current}; now"
        out.print(f"{shown(str(engine.url))}: {verb} at {before.head}.", highlight=False, soft_wrap=True)
