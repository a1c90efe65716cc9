"""A photo is written before its report's COMMIT; if the commit (or anything before it) fails, the
photo is removed again: no file without a row, which no purge would ever find."""

import pytest
from django.db import OperationalError, connections, transaction

from vbe.incidents import uploads
from vbe.incidents.models import Incident, IncidentPhoto
from vbe.incidents.tests.test_uploads import jpeg_with_gps, post_with_photos, upload


def _stored(upload_dir) -> set[str]:
    return {p.name for p in upload_dir.iterdir()} if upload_dir.exists() else set()


@pytest.mark.django_db
def test_a_photo_is_removed_when_the_commit_fails(upload_dir):
    name = uploads.new_stored_name(uploads.JPEG)

    @uploads.kept_only_if_committed
    def report() -> None:
        with transaction.atomic():
            uploads.write(name, b"picture")
        # The transaction has ended, as at a COMMIT the database never acknowledged.
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        report()
    assert _stored(upload_dir) == set()


@pytest.mark.django_db
def test_a_committed_photo_stays_and_others_are_not_touched(upload_dir):
    earlier = uploads.new_stored_name(uploads.JPEG)
    uploads.write(earlier, b"an earlier report's photo")  # outside any kept block: never tracked
    name = uploads.new_stored_name(uploads.JPEG)

    @uploads.kept_only_if_committed
    def report() -> str:
        with transaction.atomic():
            uploads.write(name, b"picture")
        return name

    assert report() == name
    assert _stored(upload_dir) == {
        uploads.storage_name(earlier).rsplit("/", 1)[-1],
        uploads.storage_name(name).rsplit("/", 1)[-1],
    }


def test_a_report_whose_commit_fails_leaves_no_photo(transactional_db, cast, upload_dir, monkeypatch):
    """The report form with a photo, and a COMMIT the database never acknowledges: the 503 page, no
    incident, and no file (transactional: the service's transaction is the outermost one)."""
    client = cast.client("staff")
    client.raise_request_exception = False
    database = connections["default"]
    real_commit = database.commit

    def commit_lost() -> None:
        if Incident.objects.exists():  # the report's own commit; the session's saves go through
            database.rollback()
            raise OperationalError("server closed the connection unexpectedly")
        real_commit()

    with monkeypatch.context() as patched:
        patched.setattr(database, "commit", commit_lost)
        response = post_with_photos(client, upload(jpeg_with_gps()))
    assert response.status_code == 503
    assert not Incident.objects.exists() and not IncidentPhoto.objects.exists()
    assert _stored(upload_dir) == set()
