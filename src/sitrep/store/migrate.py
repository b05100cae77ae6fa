"""Schema migrations: bring a ledger of either kind (SQLite, PostgreSQL) to the current schema in place.

The migrations are Alembic revisions in `migrations/versions/`, run on the ledger's own connection
(no alembic.ini). `Ledger` calls `upgrade` when it opens a database, so an analyst never runs a
migration by hand; `sitrep db upgrade` and `sitrep db status` do it and show it explicitly.

A ledger made before migrations existed has the tables of revision 0001 but no `alembic_version`
table: it is stamped 0001, then upgraded. On PostgreSQL an advisory lock makes processes that open
the same new ledger at once wait for the first one's migration instead of racing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

BASELINE = "0001"  # the schema of ledgers made before migrations existed
MIGRATION_LOCK = 0x5173_7265_0001  # pg_advisory_xact_lock key held while migrating


@dataclass(frozen=True)
class SchemaState:
    """Where a ledger's schema stands."""

    current: str | None  # None: no alembic_version (empty database, or a ledger older than migrations)
    head: str
    legacy: bool = False  # tables of a ledger made before migrations existed, not yet stamped

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the shipped migrations, bound to `connection` when given."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("sitrep.store") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest revision shipped with this version of sitrep."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def state(engine: Engine) -> SchemaState:
    """The ledger's revision and the newest one."""
    with engine.connect() as connection:
        current = _current(connection)
        legacy = current is None and inspect(connection).has_table("articles")
        return SchemaState(current=current, head=head_revision(), legacy=legacy)


def upgrade(engine: Engine) -> SchemaState:
    """Migrate the ledger to the newest revision (a no-op when it is there); returns the state before."""
    with engine.connect() as connection:
        before = _current(connection)
    if before == head_revision():
        return SchemaState(current=before, head=head_revision())
    # sitrep_write: on SQLite, take the write lock at once (see `sitrep.store.ledger.make_engine`)
    with engine.execution_options(sitrep_write=True).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        before = _current(connection)  # another process may have migrated while we waited
        config = alembic_config(connection)
        legacy = before is None and inspect(connection).has_table("articles")
        if legacy:
            command.stamp(config, BASELINE)
        command.upgrade(config, "head")
    return SchemaState(current=before, head=head_revision(), legacy=legacy)


__all__ = ["BASELINE", "SchemaState", "alembic_config", "head_revision", "state", "upgrade"]
