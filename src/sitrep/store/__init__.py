"""Stage 4: the ledger (SQLAlchemy 2; SQLite by default, PostgreSQL-ready)."""
