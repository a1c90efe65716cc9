import pytest


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Uploads go to a fresh directory per test, never into the project's var/."""
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"  # the file storage's location
    return tmp_path / "uploads" / "incidents"
