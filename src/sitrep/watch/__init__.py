"""`sitrep watch`: follow news feeds and folders over time, code each new item once into the ledger
(the same reading, coding, merging and evidence as `sitrep ingest`), and alert on what matters.

- `sources`: what is watched (command line, or a YAML/TOML sources file), durations such as `15m`;
- `fetch`: polite, robust HTTP (User-Agent, conditional requests, per-server pacing, timeouts, retries);
- `items`: a fetched feed's entries or a folder's reports as items with their guid, link and hash, and
  teasers completed with their article's main text;
- `state`: the watch tables in the ledger (per-source polling state, items seen, alerts, deliveries);
- `alerts`: rules, toll levels, webhook payloads and delivery;
- `loop`: the poll loop (`Watcher`);
- `cli`: the `sitrep watch` and `sitrep sources` commands.

docs/WATCH.md describes running it as a service.
"""
