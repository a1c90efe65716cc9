"""URL × role entries for the attachments pages."""

MATRIX: dict = {}
