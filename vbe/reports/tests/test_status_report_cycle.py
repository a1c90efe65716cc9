"""The status report's years are its reporting duty's cadence, not code: when an administrator moves the
nulägesrapport to even years, creating a draft, the year field's help text and the list page follow,
and the compiled report names the rule and the years it covers as the data states them."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from vbe.guidelines.models import Cadence, Document, ReportingDuty
from vbe.reports import compile, services
from vbe.reports.models import StatusReport

THIS_YEAR = timezone.localdate().year
NEXT_EVEN = THIS_YEAR + THIS_YEAR % 2
EVEN_RULE = "Nulägesrapporten tas fram varje jämnt år."


def _set_cadence(cadence: str) -> None:
    duty = ReportingDuty.objects.get(guideline__is_current=True, document=Document.STATUS_REPORT)
    duty.cadence = cadence
    duty.save(update_fields=["cadence"])


@pytest.fixture
def even_years(cast):
    _set_cadence(Cadence.EVEN_YEARS)
    return cast


def test_the_service_makes_reports_for_the_years_the_duty_names(even_years):
    actor = even_years["central_coordinator"]
    assert services.create_draft(actor=actor, year=2026).year == 2026
    with pytest.raises(ValidationError) as refused:
        services.create_draft(actor=actor, year=2027)
    assert refused.value.messages == [f"{EVEN_RULE} Välj 2026 eller 2028."]
    assert list(StatusReport.objects.values_list("year", flat=True)) == [2026]


def test_the_list_page_and_its_form_follow_the_duty(even_years):
    central = even_years.client("central_coordinator")
    page = central.get("/rapporter/nulagesrapport/")
    html = page.content.decode()
    assert "Kommunstyrelsen rapporterar varje jämnt år till kommunfullmäktige" in html
    assert "vartannat år" not in html and "ojämn" not in html
    field = page.context["form"].fields["year"]
    assert (
        field.help_text == f"Nulägesrapporten tas fram varje jämnt år (till exempel {NEXT_EVEN} eller {NEXT_EVEN + 2})."
    )
    assert page.context["form"].initial["year"] == NEXT_EVEN
    refused = central.post("/rapporter/nulagesrapport/", {"year": str(NEXT_EVEN + 1)})
    assert refused.status_code == 400
    assert f"{EVEN_RULE} Välj {NEXT_EVEN} eller {NEXT_EVEN + 2}." in refused.content.decode()
    created = central.post("/rapporter/nulagesrapport/", {"year": str(NEXT_EVEN)})
    assert (created.status_code, created["Location"]) == (302, f"/rapporter/nulagesrapport/{NEXT_EVEN}/")
    assert list(StatusReport.objects.values_list("year", flat=True)) == [NEXT_EVEN]


def _about(year: int) -> tuple[str, dict[str, str]]:
    """The report's "Om rapporten" text and its facts (period and so on)."""
    data = compile.status_report_data(year)
    about = next(s for s in data.sections if s.heading == "Om rapporten")
    return about.blocks[0].text, dict(data.facts)


def test_the_compiled_report_names_the_rule_and_the_years_it_covers(even_years):
    text, facts = _about(2026)
    assert "Kommunstyrelsen redovisar varje jämnt år för kommunfullmäktige" in text
    assert "Den här nulägesrapporten gäller 2025–2026." in text and facts["Period"] == "2025–2026"
    _set_cadence(Cadence.YEARLY)
    text, facts = _about(2026)
    assert "Kommunstyrelsen redovisar varje år för kommunfullmäktige" in text
    assert "Den här nulägesrapporten gäller 2026." in text and facts["Period"] == "2026"


def test_the_benchmark_measures_the_latest_year_the_duty_names(even_years):
    out = io.StringIO()
    call_command("bench", "--runs", "1", "--case", "pdf_floor", stdout=out)
    latest = THIS_YEAR - THIS_YEAR % 2
    assert f"År {latest}." in out.getvalue()
