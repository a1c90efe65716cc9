"""URL × role entries for the progress page of a background job: its owner only; for anyone else
the job does not exist (404)."""

from __future__ import annotations

from tests.matrix import NOT_FOUND, Entry, only
from vbe.jobs.models import Job


def _coordinators_job(ctx: dict) -> Job:
    owner = ctx["cast"]["coordinator"]
    job = Job.objects.filter(owner=owner, kind="matrix").first()
    return job or Job.objects.create(kind="matrix", title="Kontroll av matris.csv", owner=owner, stage="Väntar")


MATRIX = {
    "jobs:progress": Entry(lambda ctx: f"/jobb/{_coordinators_job(ctx).pk}/", only("coordinator", others=NOT_FOUND)),
    "jobs:progress_json": Entry(
        lambda ctx: f"/jobb/{_coordinators_job(ctx).pk}.json", only("coordinator", others=NOT_FOUND)
    ),
}
