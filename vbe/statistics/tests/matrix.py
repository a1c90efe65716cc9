"""URL × role entries for the statistics pages (gathered by tests/test_url_role_matrix.py): every
signed-in role may see the situation of the city and of each district."""

from tests.matrix import OK, Entry, expect

MATRIX: dict[str, Entry] = {
    "statistics:city": Entry(lambda ctx: "/handelser/statistik/", expect(OK)),
    "statistics:district": Entry(lambda ctx: "/handelser/statistik/80132/", expect(OK)),
}
