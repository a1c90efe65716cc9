"""The coordinator's task list and the yearly self-report on the six duties."""

from __future__ import annotations

import pytest

from vbe.audit.models import AccessLogEntry
from vbe.guidelines.models import CoordinatorDuty
from vbe.organisations.models import Organisation
from vbe.plans import self_report, services
from vbe.plans.models import DutyReport, PlanState
from vbe.plans.tests.conftest import LAST_YEAR, THIS_YEAR, follow_up, make_plan


def _tasks(client, slug: str = "jarva") -> list[tuple[str, str]]:
    response = client.get("/planer/att-gora/")
    assert response.status_code == 200
    (entry,) = [e for e in response.context["entries"] if e.organisation.slug == slug]
    return [(t.text, t.url) for t in entry.tasks]


def _report_all_duties(cast, organisation: Organisation, year: int = THIS_YEAR, answered: int = 6) -> None:
    duties = CoordinatorDuty.objects.filter(guideline__is_current=True).order_by("number")[:answered]
    self_report.report_duties(
        actor=cast["coordinator"],
        organisation=organisation,
        year=year,
        lock_version=self_report.current_lock_version(organisation, year),
        answers={d.pk: ("done", "") for d in duties},
    )


def test_a_coordinator_with_nothing_done_sees_the_plan_and_the_self_report(cast, jarva):
    tasks = _tasks(cast.client("coordinator"))
    assert tasks == [
        (f"Planen för {THIS_YEAR} är inte påbörjad.", f"/planer/ny/?organisation={jarva.pk}&ar={THIS_YEAR}"),
        (
            f"Självskattningen av samordnaruppdraget för {THIS_YEAR} är inte gjord.",
            f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/",
        ),
    ]
    page = cast.client("coordinator").get("/planer/att-gora/").content.decode()
    assert "Skapa planen" in page and f"Senast 30 april {THIS_YEAR}" in page


def test_draft_plan_tasks_name_what_is_missing(cast, jarva):
    plan = make_plan(cast, analysis="", measures=[])
    _report_all_duties(cast, jarva)
    assert _tasks(cast.client("coordinator")) == [
        (f"{plan.title}: lägesbilden är inte skriven.", f"/planer/{plan.pk}/andra/"),
        (f"{plan.title}: planen har inga åtgärder.", f"/planer/{plan.pk}/atgarder/ny/"),
    ]
    plan = services.update_plan(
        plan_id=plan.pk,
        actor=cast["coordinator"],
        lock_version=plan.lock_version,
        title=plan.title,
        situation_analysis="x",
    )
    from vbe.plans.tests.conftest import add_measure

    add_measure(plan, cast["coordinator"], title="Nattvandring", area=3)
    assert _tasks(cast.client("coordinator")) == [
        (f"{plan.title} är ett utkast som kan lämnas till nämnden.", f"/planer/{plan.pk}/"),
    ]


def test_a_plan_awaiting_decision_and_last_years_follow_up(cast, jarva):
    ready = make_plan(cast, state=PlanState.READY)
    last = make_plan(
        cast,
        year=LAST_YEAR,
        state=PlanState.DECIDED,
        measures=[{"title": "A", "area": 1}, {"title": "B", "area": 2}],
    )
    follow_up(last, cast["coordinator"], LAST_YEAR, {"A": "done"})
    _report_all_duties(cast, jarva, answered=3)
    assert _tasks(cast.client("coordinator")) == [
        (f"{ready.title} väntar på nämndens beslut.", f"/planer/{ready.pk}/"),
        (
            f"{last.title}: uppföljningen för {LAST_YEAR} saknas för 1 av 2 åtgärder.",
            f"/planer/{last.pk}/uppfoljning/{LAST_YEAR}/",
        ),
        (
            f"Självskattningen av samordnaruppdraget för {THIS_YEAR} saknar svar på 3 uppgifter.",
            f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/",
        ),
    ]
    follow_up(last, cast["coordinator"], LAST_YEAR, {"B": "delayed"})
    _report_all_duties(cast, jarva)
    tasks = _tasks(cast.client("coordinator"))
    assert tasks[1] == (
        f"{last.title}: uppföljningen för {LAST_YEAR} är ifylld men inte markerad som klar.",
        f"/planer/{last.pk}/uppfoljning/{LAST_YEAR}/",
    )
    last.refresh_from_db()
    services.complete_follow_up(
        plan_id=last.pk, actor=cast["coordinator"], lock_version=last.lock_version, year=LAST_YEAR
    )
    ready.refresh_from_db()
    services.record_decision(
        plan_id=ready.pk,
        actor=cast["coordinator"],
        lock_version=ready.lock_version,
        decided_on=ready.created_at.date(),
        minute_reference="§ 9",
    )
    assert _tasks(cast.client("coordinator")) == []
    assert "Inget är kvar att göra" in cast.client("coordinator").get("/planer/att-gora/").content.decode()


def test_a_board_owes_its_plan_in_even_years_and_a_follow_up_every_year(cast):
    board = Organisation.objects.get(slug="utbildningsnamnden")
    client = cast.client("coordinator_board")
    plan_texts = [text for text, _ in _tasks(client, "utbildningsnamnden") if "Planen för" in text]
    assert plan_texts == ([f"Planen för {THIS_YEAR} är inte påbörjad."] if THIS_YEAR % 2 == 0 else [])
    plan = make_plan(
        cast,
        organisation="utbildningsnamnden",
        coordinator="coordinator_board",
        year=THIS_YEAR - THIS_YEAR % 2,
        state=PlanState.DECIDED,
    )
    assert plan.end_year == plan.year + 1
    texts = [text for text, _ in _tasks(client, "utbildningsnamnden")]
    assert f"{plan.title}: uppföljningen för {THIS_YEAR} saknas för 1 av 1 åtgärder." in texts
    assert not any("Planen för" in t for t in texts)
    assert board.pk  # the board's self-report is asked for too
    assert any("Självskattningen" in t for t in texts)


@pytest.mark.parametrize("role", ["central_coordinator", "board_reader"])
def test_readers_get_an_empty_task_list(cast, role):
    page = cast.client(role).get("/planer/att-gora/").content.decode()
    assert "Du är inte lokal samordnare för någon organisation" in page


# --- Duty self-report ---------------------------------------------------------------------------


def _duties():
    return list(CoordinatorDuty.objects.filter(guideline__is_current=True).order_by("number"))


def _answers(**overrides) -> dict[str, str]:
    data = {}
    for duty in _duties():
        data[f"answer_{duty.pk}"] = "done"
        data[f"comment_{duty.pk}"] = ""
    data.update(overrides)
    return data


def test_coordinator_reports_the_six_duties(cast, jarva):
    client = cast.client("coordinator")
    url = f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    duties = _duties()
    assert len(duties) == 6 and all(d.text in html for d in duties)
    version = page.context["form"]["lock_version"].value()
    first = duties[0]
    response = client.post(
        url,
        {"lock_version": version, **_answers(**{f"answer_{first.pk}": "partly", f"comment_{first.pk}": "Halva året."})},
    )
    assert response.status_code == 302
    reports = DutyReport.objects.filter(organisation=jarva, year=THIS_YEAR)
    assert reports.count() == 6
    assert (reports.get(duty=first).answer, reports.get(duty=first).comment) == ("partly", "Halva året.")
    assert AccessLogEntry.objects.filter(action="duty_report_saved", object_id=str(jarva.pk)).count() == 1

    page = client.get(url)
    assert "Halva året." in page.content.decode() and "Senast sparad" in page.content.decode()
    response = client.post(url, {"lock_version": page.context["form"]["lock_version"].value(), **_answers()})
    assert response.status_code == 302 and reports.get(duty=first).answer == "done"
    assert DutyReport.objects.count() == 6


def test_duty_report_needs_every_answer_and_keeps_comments(cast):
    client = cast.client("coordinator")
    url = f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/"
    version = client.get(url).context["form"]["lock_version"].value()
    second = _duties()[1]
    response = client.post(
        url,
        {"lock_version": version, **_answers(**{f"answer_{second.pk}": "", f"comment_{second.pk}": "Min kommentar"})},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Svara gjort, delvis eller inte gjort för uppgift 2." in html and "Min kommentar" in html
    assert not DutyReport.objects.exists()


def test_a_stale_duty_report_is_refused(cast, jarva):
    client = cast.client("coordinator")
    url = f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/"
    version = client.get(url).context["form"]["lock_version"].value()
    _report_all_duties(cast, jarva, answered=2)
    first = _duties()[0]
    response = client.post(url, {"lock_version": version, **_answers(**{f"comment_{first.pk}": "Skrivet samtidigt"})})
    assert response.status_code == 400
    assert str(self_report.STALE) in response.content.decode() and "Skrivet samtidigt" in response.content.decode()
    assert DutyReport.objects.count() == 2


@pytest.mark.parametrize(
    "role", ["coordinator_other", "central_coordinator", "board_reader", "staff", "admin", "auditor"]
)
def test_only_the_organisations_coordinator_reports_its_duties(cast, role):
    client = cast.client(role)
    url = f"/planer/samordnaruppdrag/jarva/{THIS_YEAR}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"lock_version": "0", **_answers()}).status_code == 403
    assert not DutyReport.objects.exists()


def test_duty_report_years_and_organisations_that_do_not_exist(cast):
    client = cast.client("coordinator")
    assert client.get(f"/planer/samordnaruppdrag/jarva/{THIS_YEAR + 1}/").status_code == 404
    assert client.get(f"/planer/samordnaruppdrag/finns-inte/{THIS_YEAR}/").status_code == 404
    assert client.get(f"/planer/samordnaruppdrag/jarva/{LAST_YEAR}/").status_code == 200
