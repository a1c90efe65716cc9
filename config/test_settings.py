"""Settings for the test suite: the test mode of config.settings, with fast password hashing."""

import os

os.environ["VBE_ENV"] = "test"

from config.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; tests that check the hasher ask for it explicitly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MFA_REQUIRED = True
