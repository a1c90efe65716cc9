"""The benchmark command runs its named cases (timings are printed, never asserted)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from vbe.reports.management.commands.bench import CASES
from vbe.reports.models import StatusReport


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("bench", *args, stdout=out)
    return out.getvalue()


def test_lists_the_cases(db):
    output = run("--list")
    assert [line.split()[0] for line in output.splitlines()] == [c.name for c in CASES]


def test_runs_the_chosen_cases_and_writes_nothing(cast):
    output = run(
        "--runs", "1", "--year", "2025", "--case", "status_report_*", "--case", "plan_*", "--case", "pdf_floor"
    )
    lines = {line.split()[0]: line for line in output.splitlines() if line.split()}
    assert "krav ≤ 5 s" in lines["status_report_pdf"] and "× pdf_floor" in lines["status_report_pdf"]
    assert "krav ≤ 2 s" in lines["status_report_docx"]
    assert "hoppas över" in lines["plan_pdf"]  # no plans in the test database
    assert "compliance_xlsx" not in lines
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize("args", [("--case", "finns_inte"), ("--runs", "0")])
def test_bad_arguments(db, args):
    with pytest.raises(CommandError):
        run(*args)
