"""Cross-report merging: one incident, many reports.

When a report is stored (`Ledger.add`), each incident it yields is matched against the incidents
already in the ledger and either folded into one or stored as new; a report that yields no incident
of its own may still be attached to one by its text. One concern per module:

- `signature`  the text signature of a report (distinctive names, streets, ages) and its similarity
- `blocking`   blocking keys (grid cell, place name, actor, rare terms) and the indexed candidate query
- `scoring`    the similarity of a new incident (or report) to a stored candidate, and the decision
- `fold`       an incident's fields recomputed from all its reports (reconciliation rule, analyst edits)
- `history`    versioned changes, analyst edits (field locks) and the deletions list
- `engine`     the orchestration run inside `Ledger.add`'s transaction
- `corrections` analyst merge / split / edit
- `cli`        `sitrep merge|split|edit|deletions|history`
"""
