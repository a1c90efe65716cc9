"""URL × role entries for the search pages."""

MATRIX: dict = {}
