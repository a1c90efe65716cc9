import pytest


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Uploads go to a fresh directory per test, never into the project's var/."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads" / "incidents"
