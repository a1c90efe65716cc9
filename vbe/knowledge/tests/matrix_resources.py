"""URL × role entries for the resources pages."""

MATRIX: dict = {}
