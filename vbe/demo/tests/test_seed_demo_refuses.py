"""seed_demo refuses to run outside demo and test settings, and writes nothing (issue 7, item 20).

The demo city's accounts share one published password: seeded into a real installation they would be
a way in for anyone who has read the README."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import CommandError, base, call_command
from django.test import override_settings

from vbe.demo.management.commands.seed_demo import Command


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.mark.parametrize("arguments", [[], ["--accounts-only"]])
@override_settings(VBE_ENV="production", DEMO_MODE=False)
def test_seed_demo_refuses_in_production_and_writes_nothing(cast, arguments):
    before = _row_counts()
    with pytest.raises(CommandError, match="bara i demo- eller testläge") as caught:
        call_command("seed_demo", *arguments)
    assert "VBE_ENV=production" in str(caught.value) and "Inget har ändrats" in str(caught.value)
    assert _row_counts() == before


@override_settings(VBE_ENV="production", DEMO_MODE=False)
def test_seed_demo_from_the_command_line_exits_non_zero_with_the_message(db, capsys, monkeypatch):
    # run_from_argv closes the database connections when it ends; the test's transaction needs its own.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    before = _row_counts()
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "seed_demo"])
    assert caught.value.code != 0
    captured = capsys.readouterr()
    assert "bara i demo- eller testläge" in captured.err and "Demokonton" not in captured.out
    assert _row_counts() == before


@override_settings(VBE_ENV="demo", DEMO_MODE=True)
def test_seed_demo_lists_the_accounts_in_demo_mode(db, capsys):
    call_command("seed_demo", "--accounts-only")
    assert "Demokonton" in capsys.readouterr().out
