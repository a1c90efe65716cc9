"""The progress page of a background job, and its JSON for the page's optional poller.

Only the job's owner sees it; for anyone else the job does not exist (404). The page works without
JavaScript: it says where the job stands when it was loaded and offers a link to load it again
("Uppdatera"); it never refreshes itself (WCAG F41). With JavaScript, static/js/app.js asks the JSON
now and then and updates the progress bar and a polite live region.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from vbe.jobs.models import Job, JobState


def _own_job(request: HttpRequest, pk: str) -> Job:
    job = Job.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if job is None:
        raise Http404
    return job


def _facts(job: Job) -> dict[str, object]:
    return {
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.is_finished,
        "failed": job.state == JobState.FAILED,
        "message": job.message if job.is_finished else "",
        "result_url": job.result_url if job.is_finished else "",
    }


@login_required
@require_safe
@never_cache
def progress(request: HttpRequest, pk: str) -> HttpResponse:
    job = _own_job(request, pk)
    return render(
        request,
        "jobs/progress.html",
        {"job": job, "facts": _facts(job), "poll_url": reverse("jobs:progress_json", kwargs={"pk": job.pk})},
    )


@login_required
@require_safe
@never_cache
def progress_json(request: HttpRequest, pk: str) -> JsonResponse:
    return JsonResponse(_facts(_own_job(request, pk)))
