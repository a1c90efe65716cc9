"""URL × role entries for the symbols pages."""

MATRIX: dict = {}
