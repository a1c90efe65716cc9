"""URL × role entries for competence (gathered by tests/test_url_role_matrix.py), one file per part."""

from vbe.competence.tests import (
    matrix_catalogue,
    matrix_coverage,
    matrix_imports,
    matrix_own,
    matrix_reminders,
)

MATRIX = {
    **matrix_catalogue.MATRIX,
    **matrix_own.MATRIX,
    **matrix_imports.MATRIX,
    **matrix_coverage.MATRIX,
    **matrix_reminders.MATRIX,
}
