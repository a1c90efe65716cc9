"""The progress page of a background job: its owner's only, readable without JavaScript, and the
JSON its poller reads."""

from __future__ import annotations

import pytest

from vbe.jobs import progress
from vbe.jobs.models import Job, JobState

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(cast) -> Job:
    return Job.objects.create(kind="test", title="Kontroll av lms.csv", owner=cast["coordinator"])


def test_the_owner_sees_where_the_job_stands_without_javascript(cast, job):
    progress.report(str(job.pk), stage="Kontrollerar raderna", done=2_000, total=5_000)
    response = cast.client("coordinator").get(f"/jobb/{job.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert '<h1 class="govuk-heading-l">Kontroll av lms.csv</h1>' in page
    assert 'max="5000" value="2000"' in page
    assert "2000 av 5000 rader" in page
    assert "Kontrollerar raderna" in page and "Pågår" in page
    assert 'role="status" aria-live="polite"' in page
    assert f'href="/jobb/{job.pk}/">Uppdatera</a>' in page
    assert 'http-equiv="refresh"' not in page.lower()  # never refreshes itself (WCAG F41)


def test_a_job_without_a_total_shows_an_indeterminate_bar(cast, job):
    page = cast.client("coordinator").get(f"/jobb/{job.pk}/").content.decode()
    assert '<progress id="job-progress-bar" class="app-progress" data-job-bar></progress>' in page


def test_a_finished_job_shows_its_result_and_link(cast, job):
    progress.finish(
        str(job.pk), message="4 genomförda utbildningar importerades.", result_url="/utbildning/jarva/import/1/"
    )
    page = cast.client("coordinator").get(f"/jobb/{job.pk}/").content.decode()
    assert "4 genomförda utbildningar importerades." in page
    assert '<a class="govuk-link" href="/utbildning/jarva/import/1/">Visa resultatet</a>' in page
    assert "Uppdatera" not in page


def test_the_json_for_the_poller(cast, job):
    progress.report(str(job.pk), stage="Kontrollerar raderna", done=10, total=40)
    facts = cast.client("coordinator").get(f"/jobb/{job.pk}.json").json()
    assert facts == {
        "state": JobState.RUNNING,
        "state_label": "Pågår",
        "stage": "Kontrollerar raderna",
        "done": 10,
        "total": 40,
        "percent": 25,
        "finished": False,
        "failed": False,
        "message": "",
        "result_url": "",
    }


@pytest.mark.parametrize("role", ["coordinator_other", "central_coordinator", "admin"])
def test_nobody_else_finds_the_job(cast, job, role):
    client = cast.client(role)
    assert client.get(f"/jobb/{job.pk}/").status_code == 404
    assert client.get(f"/jobb/{job.pk}.json").status_code == 404
