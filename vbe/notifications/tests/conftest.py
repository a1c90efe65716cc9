import pytest

from vbe.concerns.tests.conftest import report_data, submit_test_concern

__all__ = ["report_data"]  # the concern form's data, for the tests that send it through the view


@pytest.fixture
def make_concern(cast):
    return lambda key="k1", organisation="jarva", **extra: submit_test_concern(cast, key, organisation, **extra)
