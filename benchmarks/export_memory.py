"""Export memory: peak RSS of `sitrep serve` answering 20 concurrent exports, and of `sitrep export`,
on ledgers of 2,000 and 20,000 incidents. Streamed exports should take the same memory at both sizes.

    .venv/bin/python benchmarks/export_memory.py [--sizes 2000 20000] [--clients 20] [--postgresql] [--keep DIR]

Each ledger is filled directly in bulk with synthetic incidents shaped like coded ones (two
perpetrators, victims and weapons, three reported figures, four evidence sentences, one report of
about 1,500 characters each). For each size and format (/export.geojson, /export.csv) a fresh server
(a child process: `sitrep serve`) is started, warmed up with one empty export, and then `--clients`
clients download the whole export at once (streamed, thrown away); its peak resident memory (VmHWM)
is read from /proc after they finish. `sitrep export` (a child process too) is measured by its
`ru_maxrss`. Figures are MiB. To measure another checkout (e.g. before streaming), run this script with
PYTHONPATH=that/checkout/src: the server and the CLI are children and inherit it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import insert

from sitrep.store.ledger import Ledger
from sitrep.store.schema import ArticleRow, EvidenceRow, FigureRow, IncidentArticleRow, IncidentRow, SourceRow

START = dt.date(2015, 1, 1)
WORDS = ("market checkpoint convoy village mosque church school bus station patrol camp bridge road "
         "gunmen militants soldiers police civilians residents officials witnesses hospital").split()


def _sentence(rng: random.Random, killed: int, town: str) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(24))
    return (f"Gunmen attacked a {rng.choice(WORDS)} near {town} on Monday, killing {killed} people and wounding "
            f"{killed + 3} others, officials said; {words}.")


def fill(ledger: Ledger, count: int, seed: int = 7) -> float:
    """Insert `count` synthetic incidents, each with its report, in bulk; returns seconds."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    now = dt.datetime.now(dt.timezone.utc)
    with ledger._sessions.begin() as session:
        session.execute(insert(SourceRow), [{"id": n + 1, "name": f"Wire {n}"} for n in range(50)])
        for first in range(0, count, 2000):
            articles, incidents, links, figures, evidence = [], [], [], [], []
            for n in range(first, min(count, first + 2000)):
                iid, aid = f"SYN-{n:07d}", f"synart{n:010d}"
                town, killed = f"Town{rng.randrange(3000)}", rng.randrange(60)
                day = START + dt.timedelta(days=rng.randrange(3650))
                sentences = [_sentence(rng, killed, town) for _ in range(6)]
                text = " ".join(sentences)
                articles.append(dict(id=aid, content_hash=f"synthetic-{n}", title=f"Attack near {town}",
                                     url=f"https://example.org/{n}", published=day, text=text, ingested_at=now,
                                     source_id=1 + n % 50))
                incidents.append(dict(
                    id=iid, event_type="Violence against civilians", sub_event_type="Attack", date=day,
                    date_precision="day", location_name=town, geonameid=2_000_000 + n, lat=rng.uniform(-40, 60),
                    lon=rng.uniform(-120, 150), country_code="BF", admin1="Centre-Nord", admin2="Sanmatenga",
                    location_precision="town", killed_low=killed, killed_best=killed, killed_high=killed + 2,
                    injured_low=killed + 3, injured_best=killed + 3, injured_high=killed + 3,
                    claimed_by="Jama'at Nasr al-Islam wal Muslimin" if n % 3 == 0 else None,
                    perpetrators=[{"name": "Jama'at Nasr al-Islam wal Muslimin", "basis": "claimed"},
                                  {"name": "unidentified gunmen", "basis": "reported"}],
                    targets=["civilians", "market"], victims=["traders", "a teacher"], weapons=["small arms"],
                    related=[], attack_type="Armed Assault", weapon_type="Firearms", target_types=["Private Citizens"],
                    suicide=False, created_at=now, updated_at=now,
                ))
                links.append(dict(incident_id=iid, article_id=aid))
                offset = 0
                for k, sentence in enumerate(sentences[:4]):
                    evidence.append(dict(incident_id=iid, article_id=aid, field=("event", "killed", "injured",
                                         "perpetrators")[k], start=offset, end=offset + len(sentence), text=sentence))
                    offset += len(sentence) + 1
                for kind, value, by in (("killed", killed, "officials"), ("killed", killed + 2, "witnesses"),
                                        ("injured", killed + 3, "officials")):
                    figures.append(dict(incident_id=iid, article_id=aid, kind=kind, value=value, qualifier="exact",
                                        scope=None, reported_by=by, quote=sentences[0][:80], start=0, end=80))
            for model, rows in ((ArticleRow, articles), (IncidentRow, incidents), (IncidentArticleRow, links),
                                (FigureRow, figures), (EvidenceRow, evidence)):
                session.execute(insert(model), rows)
    return time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def _download(url: str) -> int:
    """GET url, reading the body in 64 KiB pieces and throwing them away; returns the bytes read."""
    size = 0
    with urllib.request.urlopen(url, timeout=600) as response:
        while piece := response.read(65536):
            size += len(piece)
    return size


@contextmanager
def running_server(url: str) -> Iterator[tuple[str, int]]:
    """`sitrep serve` on the ledger at `url` (a child process), once it answers: (base URL, its pid)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from sitrep.cli import app; app()", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/health", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: {server.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.1)
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(30)


def server_peak(url: str, path: str, clients: int) -> dict[str, float]:
    """Start `sitrep serve` on the ledger, warm it up, run `clients` downloads of `path` at once."""
    with running_server(url) as (base, pid):
        _download(f"{base}{path}?min_killed=1000000")  # warm up: imports, first query, nothing to send
        idle = _status(pid)["VmRSS"]
        sizes: list[int] = []
        t0 = time.perf_counter()
        threads = [threading.Thread(target=lambda: sizes.append(_download(base + path))) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - t0
        if len(sizes) != clients or len(set(sizes)) != 1:
            raise RuntimeError(f"downloads differ or failed: {sizes}")
        peak = _status(pid)["VmHWM"]
        return {"idle_mib": round(idle, 1), "peak_mib": round(peak, 1), "growth_mib": round(peak - idle, 1),
                "mib_each": round(sizes[0] / 2**20, 1), "seconds": round(seconds, 1)}


def cli_peak(url: str, fmt: str, folder: Path) -> dict[str, float]:
    """Peak RSS of `sitrep export --format fmt -o FILE` (a child process)."""
    out = folder / f"export.{fmt}"
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", "from sitrep.cli import app; app()", "export", "--db", url,
                              "--format", fmt, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError(f"sitrep export failed: {child.stderr.read().decode()[-2000:]}")
    size = out.stat().st_size
    out.unlink()
    return {"peak_mib": round(usage.ru_maxrss / 1024, 1), "mib": round(size / 2**20, 1),
            "seconds": round(time.perf_counter() - t0, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--postgresql", action="store_true", help="Ledgers on a PostgreSQL server of our own.")
    parser.add_argument("--keep", type=Path, help="Keep the ledgers (SQLite) in this folder.")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="sitrep-export-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    postgres = None
    if args.postgresql:
        from sitrep.store.local_postgres import LocalPostgres

        postgres = LocalPostgres().start()
    results = []
    try:
        for size in args.sizes:
            if postgres is not None:
                url = postgres.create_database()
            else:
                path = folder / f"ledger-{size}.db"
                path.unlink(missing_ok=True)
                url = f"sqlite:///{path}"
            with Ledger(url) as ledger:
                seconds = fill(ledger, size)
            print(f"{size:,} incidents filled in {seconds:.1f} s", file=sys.stderr)
            for path in ("/export.geojson", "/export.csv"):
                result = server_peak(url, path, args.clients)
                results.append({"incidents": size, "what": f"serve: {args.clients} x {path}", **result})
                print(json.dumps(results[-1]), file=sys.stderr)
            for fmt in ("geojson", "acled-csv", "jsonl"):
                result = cli_peak(url, fmt, folder)
                results.append({"incidents": size, "what": f"sitrep export --format {fmt}", **result})
                print(json.dumps(results[-1]), file=sys.stderr)
    finally:
        if postgres is not None:
            postgres.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    backend = "PostgreSQL" if args.postgresql else "SQLite"
    print(f"peak resident memory, MiB ({backend}; the server's idle figure is after one empty export)")
    print(f"{'incidents':>9}  {'what':<34} {'idle':>6} {'peak':>7} {'growth':>7} {'out MiB':>8} {'s':>6}")
    for r in results:
        print(f"{r['incidents']:>9,}  {r['what']:<34} {r.get('idle_mib', ''):>6} {r['peak_mib']:>7} "
              f"{r.get('growth_mib', ''):>7} {r.get('mib_each', r.get('mib')):>8} {r['seconds']:>6}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
