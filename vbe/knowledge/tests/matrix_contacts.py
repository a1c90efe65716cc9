"""URL × role entries for the contacts pages."""

MATRIX: dict = {}
