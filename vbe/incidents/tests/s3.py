"""A local S3 server for the object-storage tests: moto in server mode, on loopback only.

The portal reaches it over HTTP exactly as it reaches a real store (botocore, signed requests, path
addressing); nothing in the portal is mocked. Each test gets a bucket of its own.
"""

from __future__ import annotations

import contextlib
import os
import runpy
import secrets
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import boto3
from moto.server import ThreadedMotoServer

REGION = "eu-north-1"
# moto accepts any keys; these are only for the signatures on the loopback requests.
KEYS = {"AWS_ACCESS_KEY_ID": "vbe-test-key", "AWS_SECRET_ACCESS_KEY": "vbe-test-secret"}
SETTINGS_FILE = Path(__file__).resolve().parents[3] / "config" / "settings.py"


@contextlib.contextmanager
def local_s3() -> Iterator[str]:
    """Starts the server on a free loopback port and yields its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
    )


def new_bucket(endpoint: str) -> str:
    name = f"vbe-test-{secrets.token_hex(6)}"
    client(endpoint).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def s3_env(endpoint: str, bucket: str) -> dict[str, str]:
    """The environment an app server is given to keep its uploads in the bucket (README, "Drift")."""
    return {
        "UPLOAD_STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": REGION,
        **KEYS,
    }


def settings_with_env(env: dict[str, str | None]) -> dict:
    """config/settings.py run afresh with these variables (None: unset); the loaded settings stay."""
    with mock.patch.dict(os.environ, {name: value for name, value in env.items() if value is not None}):
        for name, value in env.items():
            if value is None:
                os.environ.pop(name, None)
        return runpy.run_path(str(SETTINGS_FILE))


def keys(endpoint: str, bucket: str) -> list[str]:
    listing = client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))
