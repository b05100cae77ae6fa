"""Stage 3: extract stages, each one module: a parsed report becomes mentions, then incidents."""
