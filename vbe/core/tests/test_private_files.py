"""Private files: written under their folder and a random name, removed again when the service that
wrote them fails, and never reached by a name that is not one of ours."""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction

from vbe.core import private_files
from vbe.core.private_files import PrivateFolder, display_name, kept_only_if_committed

LOOSE = PrivateFolder("test-loose")
STRICT = PrivateFolder("test-strict", r"[0-9a-f]{32}\.(pdf|png)")


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Files go to a fresh directory per test, never into the project's var/."""
    settings.UPLOAD_ROOT = settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"


def stored(upload_dir, folder: PrivateFolder) -> set[str]:
    directory = upload_dir / folder.prefix
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


def test_a_file_is_stored_under_its_folder_and_a_random_name_and_read_back(upload_dir):
    name = STRICT.write_new(b"%PDF-1.4 hej", "pdf")
    other = STRICT.write_new(b"%PDF-1.4 hej", "pdf")
    assert len(name) == 32 + len(".pdf") and name != other
    assert STRICT.storage_name(name) == f"test-strict/{name}"
    assert stored(upload_dir, STRICT) == {name, other}
    with STRICT.open(name) as handle:
        assert handle.read() == b"%PDF-1.4 hej"
    STRICT.remove(name)
    STRICT.remove(name)  # already gone: no error
    assert stored(upload_dir, STRICT) == {other}
    with pytest.raises(FileNotFoundError):
        STRICT.open(name)


def test_a_name_in_use_is_never_overwritten(upload_dir):
    LOOSE.write("a.jpg", b"first")
    with pytest.raises(FileExistsError):
        LOOSE.write("a.jpg", b"second")
    with LOOSE.open("a.jpg") as handle:
        assert handle.read() == b"first"
    assert stored(upload_dir, LOOSE) == {"a.jpg"}  # the name the storage chose instead is gone again


@pytest.mark.parametrize("bad", ["", "../x.jpg", "a/b.jpg", "a\\b.jpg", ".hidden", "..", None])
def test_a_name_that_could_leave_the_folder_is_refused(bad):
    for folder in (LOOSE, STRICT):
        with pytest.raises(ValueError):
            folder.storage_name(bad)
        with pytest.raises(ValueError):
            folder.open(bad)
        with pytest.raises(ValueError):
            folder.remove(bad)


@pytest.mark.parametrize(
    "bad", ["0" * 31 + ".pdf", "0" * 33 + ".pdf", "A" * 32 + ".pdf", "0" * 32 + ".exe", "0" * 32 + ".pdf.pdf"]
)
def test_a_name_outside_the_folders_pattern_is_refused(bad, upload_dir):
    with pytest.raises(ValueError):
        STRICT.storage_name(bad)
    with pytest.raises(ValueError):
        STRICT.write(bad, b"x")
    assert stored(upload_dir, STRICT) == set()
    assert LOOSE.storage_name(bad) == f"test-loose/{bad}"


def test_the_name_of_a_storage_key_is_checked_like_a_name():
    name = "0" * 32 + ".png"
    assert STRICT.name_of(f"test-strict/{name}") == name
    for bad in (name, f"test-loose/{name}", "test-strict/", f"test-strict/../{name}", f"test-strict/x/{name}", ""):
        with pytest.raises(ValueError):
            STRICT.name_of(bad)


def test_a_failing_service_leaves_no_file(upload_dir):
    earlier = LOOSE.write_new(b"an earlier file", "jpg")  # outside any block: never tracked

    @kept_only_if_committed
    def service() -> None:
        LOOSE.write_new(b"one", "jpg")
        STRICT.write_new(b"two", "pdf")
        # As at a COMMIT the database never acknowledged: the files are written, the rows are not.
        raise ConnectionError("server closed the connection unexpectedly")

    with pytest.raises(ConnectionError):
        service()
    assert stored(upload_dir, LOOSE) == {earlier}
    assert stored(upload_dir, STRICT) == set()


def test_a_succeeding_service_keeps_its_files(upload_dir):
    @kept_only_if_committed
    def service() -> str:
        return STRICT.write_new(b"kept", "pdf")

    name = service()
    assert stored(upload_dir, STRICT) == {name}


def test_a_file_the_service_removed_itself_is_no_error_when_it_fails(upload_dir):
    @kept_only_if_committed
    def service() -> None:
        name = STRICT.write_new(b"gone", "pdf")
        STRICT.remove(name)
        raise RuntimeError("later")

    with pytest.raises(RuntimeError, match="later"):
        service()
    assert stored(upload_dir, STRICT) == set()


def test_an_inner_block_removes_its_own_files_and_hands_the_rest_to_the_outer(upload_dir):
    names: dict[str, str] = {}

    @kept_only_if_committed
    def inner(fail: bool) -> None:
        names["inner"] = LOOSE.write_new(b"inner", "jpg")
        if fail:
            raise RuntimeError("inner failed")

    @kept_only_if_committed
    def outer(inner_fails: bool, fail: bool) -> None:
        names["outer"] = LOOSE.write_new(b"outer", "jpg")
        with pytest.raises(RuntimeError, match="inner failed") if inner_fails else contextlib.nullcontext():
            inner(inner_fails)
        names["after"] = LOOSE.write_new(b"after", "jpg")  # still the outer block's
        if fail:
            raise RuntimeError("outer failed")

    outer(inner_fails=True, fail=False)
    assert stored(upload_dir, LOOSE) == {names["outer"], names["after"]}

    for name in list(stored(upload_dir, LOOSE)):
        LOOSE.remove(name)
    with pytest.raises(RuntimeError, match="outer failed"):
        outer(inner_fails=False, fail=True)
    # The inner block returned, but the outer one failed (its transaction may have rolled back the row
    # naming the inner file): nothing is left.
    assert stored(upload_dir, LOOSE) == set()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/<script>.pdf", "script.pdf"),
        ("C:\\Users\\anna\\Rutin.exe", "Rutin.pdf"),
        ("\x00\x1b[31m.pdf", "[31m.pdf"),
        ("\x00.pdf", "fil.pdf"),
        (" intyg.pdf", "intyg.pdf"),
        (None, "fil.pdf"),
        ("a" * 400 + ".pdf", "a" * 146 + ".pdf"),
        ('"rutin" 2025?.PDF', "rutin 2025.pdf"),
    ],
)
def test_a_display_name_is_the_client_name_cleaned_or_the_fallback(name, shown):
    assert display_name(name, "pdf", fallback="fil") == shown


@pytest.mark.django_db(transaction=True)
def test_a_storage_failing_after_commit_is_logged_not_raised(upload_dir, monkeypatch, caplog):
    """The change is made once the transaction commits: an outage of the storage then must not become an
    error page for a change that happened; the key is logged, to remove by hand."""
    name = LOOSE.write_new(b"kvar", "jpg")

    def broken(key: str) -> None:
        raise OSError("lagringen svarar inte")

    monkeypatch.setattr(private_files.default_storage, "delete", broken)
    with transaction.atomic():
        LOOSE.remove_after_commit(name)
    assert name in stored(upload_dir, LOOSE)
    assert f"{LOOSE.prefix}/{name}" in caplog.text and "kunde inte tas bort" in caplog.text


def test_a_failing_clean_up_does_not_hide_the_error_being_raised(upload_dir, monkeypatch, caplog):
    @kept_only_if_committed
    def service() -> None:
        LOOSE.write_new(b"x", "jpg")
        raise ValueError("det som gick fel")

    monkeypatch.setattr(private_files.default_storage, "delete", lambda key: (_ for _ in ()).throw(OSError("nere")))
    with pytest.raises(ValueError, match="det som gick fel"):
        service()
    assert "kunde inte tas bort" in caplog.text
