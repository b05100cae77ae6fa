"""Stage 1: files and feeds become Articles."""

from sitrep.ingest.readers import MAX_REPORT_CHARS, IngestProblem, read_articles

__all__ = ["MAX_REPORT_CHARS", "IngestProblem", "read_articles"]
