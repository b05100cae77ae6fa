"""The ledger backends every storage, merge and API test runs on."""

from __future__ import annotations

BACKENDS = ("sqlite", "postgresql")


def fresh_ledger_url(request, folder) -> str:
    """An empty ledger on the backend `request.param` names: an SQLite file in `folder`, or a new
    PostgreSQL database on the session's server."""
    if request.param == "sqlite":
        return f"sqlite:///{folder / 'ledger.db'}"
    return request.getfixturevalue("postgres").create_database()


def query_plan(engine, query) -> str:
    """The database's plan for a SQLAlchemy query, as one string naming the indexes it uses.

    On PostgreSQL sequential scans are switched off for the plan, so that the answer says whether an
    index can serve the query at all (on a near-empty table the planner would rightly scan).
    """
    from sqlalchemy import text

    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))
            rows = conn.execute(text(f"EXPLAIN {sql}"))
        else:
            rows = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
        return " ".join(str(row[-1]) for row in rows)
