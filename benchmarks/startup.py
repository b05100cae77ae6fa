"""How long sitrep takes to start: each command in a new process, as a user runs it, N times; median and best.

    .venv/bin/python benchmarks/startup.py [--runs 7]

Commands: `sitrep --help`, `sitrep incidents` on a small ledger (made first, by `sitrep demo`, and not
timed), `sitrep eval --help` and `sitrep extract` of a short report (which loads the language model and
the gazetteer). The sitrep imported is the one this Python finds (PYTHONPATH included), so that two
checkouts can be compared with the same script. Each command runs once untimed first, with byte-code
caching on (as after `pip install`, whatever PYTHONDONTWRITEBYTECODE says here).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPORT = "Gunmen killed two farmers in the village of Kalale in northern Benin on Monday, police said.\n"


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(args: list[str], runs: int) -> list[float]:
    """Seconds each of `runs` runs of `sitrep ARGS` took, after one untimed run."""
    out = []
    for run in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sitrep", *args], check=True, capture_output=True, env=ENV)
        if run:
            out.append(time.perf_counter() - start)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "ledger.db")
        report = Path(tmp) / "report.txt"
        report.write_text(REPORT, encoding="utf-8")
        subprocess.run([sys.executable, "-m", "sitrep", "demo", "--db", db], check=True, capture_output=True, env=ENV)
        commands = {
            "sitrep --help": ["--help"],
            "sitrep incidents (demo ledger)": ["incidents", "--db", db],
            "sitrep eval --help": ["eval", "--help"],
            "sitrep extract (one short report)": ["extract", str(report), "--published", "2024-06-03"],
        }
        for name, command in commands.items():
            runs = args.runs if "extract" not in name else max(3, args.runs // 2)
            seconds = timed(command, runs)
            print(f"{name:36s} median {statistics.median(seconds):.2f} s, best {min(seconds):.2f} s ({runs} runs)")


if __name__ == "__main__":
    main()
