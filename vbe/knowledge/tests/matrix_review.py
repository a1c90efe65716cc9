"""URL × role entries for the review pages."""

MATRIX: dict = {}
