"""`sitrep places import | list`: the ledger's own gazetteer (registered on the main app by `sitrep.cli`).

    sitrep places import BJ.zip --format geonames [--classes PAL] [--db URL]
    sitrep places import events.csv --format acled [--db URL]
    sitrep places list [--country CC] [--db URL]

Imported places are consulted beside GeoNames by every command that codes reports into this ledger
(`ingest`, `watch`, `serve`, `eval geo --db`); importing a file twice adds nothing.
"""

from collections import Counter
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["register"]

out = Console()
err = Console(stderr=True)


class PlaceFormat(str, Enum):
    geonames = "geonames"
    acled = "acled"


def register(app: typer.Typer, open_ledger: Callable[..., Any], db_option: Any, default_db: str) -> None:
    """Add the `places` command group to the `sitrep` app."""
    places_app = typer.Typer(help="The ledger's own gazetteer: villages and places a team adds beside GeoNames.",
                             no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(places_app, name="places")

    @places_app.command("import")
    def import_cmd(
        file: Annotated[Path, typer.Argument(help="A GeoNames country dump (XX.txt or XX.zip) or an ACLED-style CSV.")],
        file_format: Annotated[PlaceFormat, typer.Option("--format", help="geonames or acled.")],
        classes: Annotated[str, typer.Option(help="GeoNames feature classes to read (P populated places, A areas, L parks and areas, S spots, T terrain, H water ...).")] = "PAL",
        db: db_option = default_db,
    ) -> None:
        """Add the places of FILE to the ledger's gazetteer (places already there are left as they are)."""
        from sitrep.places.readers import read_acled, read_geonames

        if not file.is_file():
            err.print(f"error: no such file: {file}", highlight=False, markup=False)
            raise typer.Exit(2)
        if file_format is PlaceFormat.geonames and not set(classes.upper()) <= set("AHLPRSTUV"):
            raise typer.BadParameter(f"{classes!r}: GeoNames feature classes are letters of AHLPRSTUV", param_hint="--classes")
        ledger = open_ledger(db, create=True)
        try:
            places = read_geonames(file, classes) if file_format is PlaceFormat.geonames else read_acled(file)
            added, known = ledger.add_places(places)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            what = "a GeoNames dump" if file_format is PlaceFormat.geonames else "an ACLED-style CSV"
            err.print(f"error: {file} is not {what} ({' '.join(str(exc).split())[:200]})", highlight=False, markup=False)
            raise typer.Exit(2) from None
        finally:
            ledger.close()
        err.print(f"{added} places added to the ledger's gazetteer, {known} already there ({file.name}).",
                  highlight=False, markup=False)

    @places_app.command("list")
    def list_cmd(
        country: Annotated[str | None, typer.Option(help="Only this country (ISO 3166 alpha-2).")] = None,
        db: db_option = default_db,
    ) -> None:
        """How many places the ledger's gazetteer holds, by country and source."""
        ledger = open_ledger(db)
        try:
            places = ledger.places(country.upper() if country else None)
        finally:
            ledger.close()
        table = Table("country", "source", "places")
        for (cc, source), n in sorted(Counter((p.country_code, p.source) for p in places).items()):
            table.add_row(cc, source, str(n))
        out.print(table)
