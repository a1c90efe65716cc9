"""Files that only the portal hands out: stored in the default storage under a folder and a random name.

Only through the default storage's API (save, open, delete), never a local path: the same code then
works on a directory outside the web root (UPLOAD_ROOT, shared between app servers by NFS or the like)
and on S3-compatible object storage (UPLOAD_STORAGE=s3, config.settings). The database keeps a file's
stored name; a name is checked before it reaches the storage, so none ever leaves its folder.

A file is written before the row that names it commits. ``kept_only_if_committed`` around a service
(outside its ``transaction.atomic``) removes what the service wrote when anything fails, the COMMIT
included: a file whose row never committed is one no purge would ever find.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")

DISPLAY_NAME_MAX = 150

logger = logging.getLogger(__name__)

# The storage names written inside the current kept_only_if_committed block (None outside one).
_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("written_private_files", default=None)


@dataclass(frozen=True)
class PrivateFolder:
    """One kind of file: its folder in the storage and, if given, the pattern its stored names match."""

    prefix: str
    name_pattern: str | None = None

    def storage_name(self, name: str) -> str:
        """Where a stored name lies in the storage; ValueError for a name that is not one of ours."""
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError("ogiltigt filnamn")
        if self.name_pattern is not None and not re.fullmatch(self.name_pattern, name, re.ASCII):
            raise ValueError("ogiltigt filnamn")
        return f"{self.prefix}/{name}"

    def name_of(self, storage_name: str) -> str:
        """The stored name of a name in the storage (``prefix/name``); ValueError for one not ours."""
        folder, slash, name = (storage_name or "").partition("/")
        if folder != self.prefix or not slash:
            raise ValueError("ogiltigt filnamn")
        self.storage_name(name)
        return name

    def new_name(self, extension: str) -> str:
        return f"{secrets.token_hex(16)}.{extension}"

    def write(self, name: str, data: bytes) -> None:
        """Stores ``data`` under ``name``; a name already taken is never overwritten (FileExistsError)."""
        key = self.storage_name(name)
        saved = default_storage.save(key, ContentFile(data))
        if saved != key:  # the storage chose another name beside the one in use: not the file we meant
            default_storage.delete(saved)
            raise FileExistsError(key)
        written = _written.get()
        if written is not None:
            written.append(key)

    def write_new(self, data: bytes, extension: str) -> str:
        """Stores ``data`` under a new random name and returns the name."""
        name = self.new_name(extension)
        self.write(name, data)
        return name

    def open(self, name: str) -> File:
        """The stored file opened for reading; FileNotFoundError when it is gone, ValueError for a bad name."""
        return default_storage.open(self.storage_name(name), "rb")

    def remove(self, name: str) -> None:
        """Deletes the stored file, if it is still there; ValueError for a bad name."""
        _delete(self.storage_name(name))

    def remove_after_commit(self, name: str) -> None:
        """Deletes the stored file once the current transaction commits (the row that named it is gone)."""
        delete_after_commit(self.storage_name(name))


def _delete(key: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        default_storage.delete(key)


def _delete_or_log(key: str) -> None:
    """A storage that fails now (an outage, a permission) must not turn a change that is already made
    into an error page, nor hide the error that is being raised: the key is logged, to remove by hand."""
    try:
        _delete(key)
    except Exception:
        logger.exception("Filen %s kunde inte tas bort ur lagringen.", key)


def delete_after_commit(key: str) -> None:
    """Deletes a storage key once the current transaction commits; never raises into the request."""
    transaction.on_commit(functools.partial(_delete_or_log, key), robust=True)


def kept_only_if_committed(service: Callable[P, R]) -> Callable[P, R]:
    """Around a service's transaction (outside its ``transaction.atomic``): the files it wrote are
    removed again when anything fails, the COMMIT included. A block inside another removes what it
    wrote when it fails itself; once it has returned, its files are the outer block's to keep or
    remove, since the outer transaction may still roll back."""

    @functools.wraps(service)
    def kept(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = _written.get()
        written: list[str] = []
        token = _written.set(written)
        try:
            result = service(*args, **kwargs)
        except BaseException:
            for key in written:
                _delete_or_log(key)
            raise
        finally:
            _written.reset(token)
        if outer is not None:
            outer.extend(written)
        return result

    return kept


def display_name(name: str | None, extension: str, *, fallback: str) -> str:
    """The client's file name, fit to show back on a page: no folders, no control or path characters,
    at most DISPLAY_NAME_MAX characters, and ``extension`` (what the file really is); ``fallback``
    when nothing of the name is left."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C" and c not in '<>:"|?*')
    stem = base.rsplit(".", 1)[0] if "." in base else base  # the client's extension says nothing
    stem = re.sub(r"\s+", " ", stem).strip(" .")
    stem = stem[: DISPLAY_NAME_MAX - len(extension) - 1].strip(" .") or fallback
    return f"{stem}.{extension}"
