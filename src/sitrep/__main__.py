"""`python -m sitrep ...`: the same commands as the `sitrep` script (e.g. a container's entry point,
`python -m sitrep watch --sources /etc/sitrep/watch.yaml`)."""

from sitrep.cli import app

app(prog_name="sitrep")
