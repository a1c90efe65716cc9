"""URL × role entries for knowledge (gathered by tests/test_url_role_matrix.py), one file per part."""

from vbe.knowledge.tests import (
    matrix_attachments,
    matrix_contacts,
    matrix_partners,
    matrix_resources,
    matrix_review,
    matrix_search,
    matrix_symbols,
)

MATRIX = {
    **matrix_resources.MATRIX,
    **matrix_attachments.MATRIX,
    **matrix_review.MATRIX,
    **matrix_search.MATRIX,
    **matrix_symbols.MATRIX,
    **matrix_contacts.MATRIX,
    **matrix_partners.MATRIX,
}
