"""Evaluation against real data: one module per benchmark, each with its scorer and a `sitrep eval` command.

Datasets are read from the path the user gives (usually ../shared/data/...); nothing is bundled.
"""
