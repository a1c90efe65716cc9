"""URL × role entries for collaboration (gathered by tests/test_url_role_matrix.py), one file per part."""

from vbe.collaboration.tests import (
    matrix_actors,
    matrix_assessments,
    matrix_criteria,
    matrix_forums,
    matrix_meetings,
    matrix_raising,
)

MATRIX = {
    **matrix_actors.MATRIX,
    **matrix_assessments.MATRIX,
    **matrix_criteria.MATRIX,
    **matrix_forums.MATRIX,
    **matrix_meetings.MATRIX,
    **matrix_raising.MATRIX,
}
