"""Demo cases (filled below)."""
