"""sitrep: news reports about political violence in, a sourced and queryable ledger of incidents out."""

__version__ = "0.1.0"
