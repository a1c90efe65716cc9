from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def checkpoint_path(tmp_path, settings):
    """Each test anchors its chain in its own checkpoint file: the test database starts empty each time."""
    settings.AUDIT_CHECKPOINT_PATH = tmp_path / "audit-checkpoints.log"
    return settings.AUDIT_CHECKPOINT_PATH
