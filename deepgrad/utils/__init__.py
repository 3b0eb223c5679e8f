"""Small helpers with no framework dependencies (PNG writing)."""
