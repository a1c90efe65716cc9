"""Photos on S3-compatible object storage (UPLOAD_STORAGE=s3): the settings, and the report form and
the photo view against a local S3 server (moto on loopback), with nothing in the portal mocked."""

from __future__ import annotations

import io

import botocore.exceptions
import botocore.handlers
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from PIL import Image

from vbe.incidents import services, uploads
from vbe.incidents.models import Incident, IncidentPhoto
from vbe.incidents.tests import s3
from vbe.incidents.tests.test_uploads import GPS_IFD, jpeg_with_gps, post_with_photos, upload

PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


@pytest.fixture(scope="module")
def endpoint():
    with s3.local_s3() as url:
        yield url


@pytest.fixture
def bucket(settings, endpoint, upload_dir):
    """A fresh bucket, made the upload storage the way config.settings makes it from the environment."""
    name = s3.new_bucket(endpoint)
    configured = s3.settings_with_env(s3.s3_env(endpoint, name))
    settings.STORAGES = {**settings.STORAGES, "default": configured["STORAGES"]["default"]}
    return name


# --- Settings ---------------------------------------------------------------------------------------


def test_s3_storage_is_private_encrypted_and_never_hands_out_links(endpoint):
    configured = s3.settings_with_env(s3.s3_env(endpoint, "vbe-uploads"))
    storage = configured["STORAGES"]["default"]
    options = storage["OPTIONS"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        "vbe-uploads",
        endpoint,
        s3.REGION,
    )
    assert options["default_acl"] == "private"
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
    assert options["file_overwrite"] is False and options["custom_domain"] is None
    assert (options["access_key"], options["secret_key"]) == (
        s3.KEYS["AWS_ACCESS_KEY_ID"],
        s3.KEYS["AWS_SECRET_ACCESS_KEY"],
    )


def test_the_acl_and_encryption_can_be_left_to_the_bucket(endpoint):
    env = {**s3.s3_env(endpoint, "b"), "S3_OBJECT_ACL": "none", "S3_SERVER_SIDE_ENCRYPTION": "none"}
    options = s3.settings_with_env(env)["STORAGES"]["default"]["OPTIONS"]
    assert options["default_acl"] is None and options["object_parameters"] == {}


def test_the_default_is_a_private_directory_outside_the_web_root(tmp_path):
    configured = s3.settings_with_env({"UPLOAD_STORAGE": None, "UPLOAD_ROOT": str(tmp_path / "photos")})
    storage = configured["STORAGES"]["default"]
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert configured["MEDIA_ROOT"] == configured["UPLOAD_ROOT"] == tmp_path / "photos"
    assert storage["OPTIONS"] == {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"UPLOAD_STORAGE": "ftp"}, "välj filesystem eller s3"),
        ({"UPLOAD_STORAGE": "s3", "S3_BUCKET": None}, "S3_BUCKET saknas"),
        (
            {"UPLOAD_STORAGE": "s3", "S3_BUCKET": "b", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": None},
            "AWS_SECRET",
        ),
    ],
)
def test_a_wrong_storage_setting_stops_the_start(env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        s3.settings_with_env(env)


# --- Through the report form and the photo view -------------------------------------------------------


def test_a_reported_photo_is_stored_clean_private_and_encrypted_in_the_bucket(cast, endpoint, bucket, upload_dir):
    response = post_with_photos(cast.client("staff"), upload(jpeg_with_gps(), "IMG_0001.jpg"))
    assert response.status_code == 302
    photo = IncidentPhoto.objects.get()
    key = f"incidents/{photo.stored_name}"
    assert s3.keys(endpoint, bucket) == [key]
    assert not upload_dir.exists()  # nothing written to the local disk
    head = s3.client(endpoint).head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    grants = s3.client(endpoint).get_object_acl(Bucket=bucket, Key=key)["Grants"]
    assert grants and not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GROUPS]
    stored = s3.client(endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
    assert len(stored) == photo.size
    picture = Image.open(io.BytesIO(stored))
    assert not picture.getexif() and not picture.getexif().get_ifd(GPS_IFD)
    assert (picture.width, picture.height) == (photo.width, photo.height)


def test_the_photo_view_streams_the_object_to_the_council_only(cast, endpoint, bucket):
    post_with_photos(cast.client("staff"), upload(jpeg_with_gps()))
    photo = IncidentPhoto.objects.get()
    url = f"/handelser/{photo.incident_id}/bild/{photo.pk}/"
    response = cast.client("coordinator").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Length"] == str(photo.size)
    key = f"incidents/{photo.stored_name}"
    assert b"".join(response.streaming_content) == s3.client(endpoint).get_object(Bucket=bucket, Key=key)["Body"].read()
    assert cast.client("coordinator_other").get(url).status_code == 404
    # The bucket itself answers no one without the keys.
    anonymous = s3.client(endpoint)
    anonymous.meta.events.register("choose-signer.s3.*", botocore.handlers.disable_signing)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        anonymous.get_object(Bucket=bucket, Key=key)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_photo_gone_from_the_bucket_is_a_404(cast, endpoint, bucket):
    post_with_photos(cast.client("staff"), upload(jpeg_with_gps()))
    photo = IncidentPhoto.objects.get()
    uploads.remove(photo.stored_name)
    assert s3.keys(endpoint, bucket) == []
    uploads.remove(photo.stored_name)  # already gone: no error
    assert cast.client("coordinator").get(f"/handelser/{photo.incident_id}/bild/{photo.pk}/").status_code == 404


@pytest.mark.parametrize("kind", ["s3", "filesystem"])
def test_a_name_in_use_is_never_overwritten(request, kind, upload_dir):
    if kind == "s3":
        request.getfixturevalue("bucket")
    name = uploads.new_stored_name(uploads.JPEG)
    uploads.write(name, b"first")
    with pytest.raises(FileExistsError):
        uploads.write(name, b"second")
    with uploads.open_photo(name) as stored:
        assert stored.read() == b"first"
    assert default_storage.exists(uploads.storage_name(name))
    _, files = default_storage.listdir(uploads.PREFIX)
    assert files == [name]  # the refused second copy is not left beside it
    assert upload_dir.exists() == (kind == "filesystem")


def test_a_report_that_fails_after_storing_leaves_nothing_in_the_bucket(cast, endpoint, bucket, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(services, "notify_council", broken)
    with pytest.raises(RuntimeError):
        post_with_photos(cast.client("staff"), upload(jpeg_with_gps()), upload(jpeg_with_gps(), "b.jpg"))
    assert not Incident.objects.exists() and not IncidentPhoto.objects.exists()
    assert s3.keys(endpoint, bucket) == []
