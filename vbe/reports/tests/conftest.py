import pytest


@pytest.fixture
def central(cast):
    return cast.client("central_coordinator")
