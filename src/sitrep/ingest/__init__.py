"""Stage 1: files and feeds become Articles."""
