"""URL × role entries for this app (gathered by tests/test_url_role_matrix.py)."""

from tests.matrix import Entry

MATRIX: dict[str, Entry] = {}
