"""/stod/<id>/bilagor/: a resource's attached files. Everyone who reads the resource downloads its
files (an archived resource's only its keepers, as the resource itself); the keepers of its owner
upload and remove them. A file is always handed out as a download with its stored type and
``nosniff``, never shown by the portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from vbe.core import submission
from vbe.knowledge import access, attachments
from vbe.knowledge.forms_attachments import AttachmentForm
from vbe.knowledge.models import Attachment


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    resource = access.kept(request, pk)
    form = AttachmentForm(request.POST, request.FILES) if request.method == "POST" else AttachmentForm()
    return submission.submit(
        request,
        form,
        lambda data: attachments.add_attachment(actor=request.user, resource_id=resource.pk, file=data["file"]),
        done=lambda attachment: (
            _("%(name)s är uppladdad. Texten blir sökbar om en stund.") % {"name": attachment.filename}
        ),
        next_url=lambda attachment: resource.get_absolute_url(),
        page_again=lambda form: render(
            request,
            "knowledge/attachment_upload.html",
            {"resource": resource, "form": form, "max_mb": attachments.max_bytes() // 2**20},
        ),
    )


@login_required
@require_POST
def remove(request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
    """A button beside the file on the resource's page: the answer is a message on that page."""
    resource = access.kept(request, pk)
    try:
        removed = attachments.remove_attachment(actor=request.user, resource_id=resource.pk, attachment_id=attachment)
    except Attachment.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s är borttagen.") % {"name": removed.filename})
    return redirect(resource)


@login_required
@require_safe
def download(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    resource, _can_manage = access.readable(request, pk)
    found = get_object_or_404(resource.attachments, pk=attachment)
    try:
        handle = attachments.open_file(found)
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=found.filename, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("<id:pk>/bilagor/ny/", upload, name="attachment_upload"),
    path("<id:pk>/bilagor/<id:attachment>/ta-bort/", remove, name="attachment_remove"),
    path("<id:pk>/bilagor/<id:attachment>/", download, name="attachment"),
]
