"""A zip's declared member count, sizes and packing are bounded before anything unpacks it."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from vbe.core.zip_bounds import within_bounds

MB = 1024 * 1024
BOUNDS = {"max_members": 10, "max_unpacked": 20 * MB, "max_ratio": 100, "ratio_from": MB}


def entries(*members: tuple[str, bytes]) -> list[zipfile.ZipInfo]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return archive.infolist()


def test_a_small_document_is_within_bounds():
    assert within_bounds(entries(("a.xml", b"<a/>" * 1000), ("b.bin", bytes(range(256)))), **BOUNDS)


def test_a_bomb_that_packs_far_above_the_ratio_is_refused():
    bomb = entries(("zeros.xml", b"\0" * (5 * MB)))  # packs about 1000:1
    assert bomb[0].compress_size * 100 < bomb[0].file_size
    assert not within_bounds(bomb, **BOUNDS)
    # The same ratio below ratio_from is not held to it: small parts may pack well.
    assert within_bounds(entries(("zeros.xml", b"\0" * (MB // 2))), **BOUNDS)


def test_too_many_members_or_too_much_unpacked_is_refused():
    assert not within_bounds(entries(*((f"{i}.xml", b"x") for i in range(11))), **BOUNDS)
    assert within_bounds(entries(*((f"{i}.xml", b"x") for i in range(10))), **BOUNDS)
    assert not within_bounds(entries(("big.xml", b"\0" * (4 * MB))), **{**BOUNDS, "max_unpacked": 3 * MB})


@pytest.mark.parametrize(("max_member", "fits"), [(None, True), (2 * MB, True), (MB, False)])
def test_the_bound_of_one_member_holds_only_when_given(max_member, fits):
    # Random bytes do not pack: only the size of the member can refuse it.
    members = entries(("photo.jpg", random.Random(0).randbytes(3 * MB // 2)))
    assert members[0].file_size == int(1.5 * MB)
    assert within_bounds(members, **BOUNDS, max_member=max_member) is fits


def test_declared_sizes_are_what_counts():
    (entry,) = entries(("a.xml", b"a"))
    entry.file_size = 30 * MB  # a zip may declare any size; what it declares is bounded
    assert not within_bounds([entry], **BOUNDS)
