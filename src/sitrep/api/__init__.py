"""The analyst's desk: REST API and web dashboard (`sitrep serve`)."""

from sitrep.api.app import create_app

__all__ = ["create_app"]
