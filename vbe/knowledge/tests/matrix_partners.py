"""URL × role entries for the partners pages."""

MATRIX: dict = {}
