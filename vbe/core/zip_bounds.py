"""Whether a zip's members, by the sizes the zip declares, are within bounds: before anything unpacks them.

Only what the zip's directory declares is read. Python's zipfile never unpacks more than a member's
declared size, so a false size cuts the member short rather than getting past the bound. The bounds
are the caller's: what a workbook of an export may hold is not what an attached document may.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence


def within_bounds(
    entries: Sequence[zipfile.ZipInfo],
    *,
    max_members: int,
    max_unpacked: int,
    max_ratio: int,
    ratio_from: int,
    max_member: int | None = None,
) -> bool:
    """False for a zip of more than ``max_members`` members, of more than ``max_unpacked`` bytes all
    unpacked, with a member of more than ``max_member`` bytes (None: no such bound), or with a member
    above ``ratio_from`` bytes that unpacks to more than ``max_ratio`` times its packed size."""
    if len(entries) > max_members or sum(entry.file_size for entry in entries) > max_unpacked:
        return False
    for entry in entries:
        if max_member is not None and entry.file_size > max_member:
            return False
        if entry.file_size > ratio_from and entry.file_size > max_ratio * max(entry.compress_size, 1):
            return False
    return True
