"""Settings for the test suite: the test mode of config.settings, with fast password hashing."""

import os

os.environ["VBE_ENV"] = "test"

from config.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; tests that check the hasher ask for it explicitly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
STORAGES = {  # noqa: F405
    "default": STORAGES["default"],  # noqa: F405  (uploads: UPLOAD_STORAGE's choice, on disk unless set)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MFA_REQUIRED = True
# The test client builds its middleware for every client; WhiteNoise would index collected files
# each time. Tests serve static files through the finders (live server) instead.
STATIC_ROOT = VAR_DIR / "test-static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploads under var/ unless UPLOAD_ROOT says where (the servers started by tests/test_scaling_out.py).
UPLOAD_ROOT = MEDIA_ROOT = Path(os.environ.get("UPLOAD_ROOT") or VAR_DIR / "test-uploads")  # noqa: F405
