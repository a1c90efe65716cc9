"""URL × role entries for the resources pages: one resource, its forms, history and differences.

Everyone signed in reads an active resource, its history and its differences. Any coordinator (of
some organisation) and the central coordinator may start a new one; a resource owned by Järva is
changed by Järva's coordinator and the central coordinator only. Archiving and restoring are POSTs.
"""

from __future__ import annotations

from django.utils import timezone

from tests.matrix import NOT_ALLOWED, OK, REDIRECT, Entry, expect, only
from vbe.knowledge.models import Kind, Resource, ResourceVersion
from vbe.organisations.models import Organisation

COORDINATORS = ("coordinator", "coordinator_other", "coordinator_board", "central_coordinator")
JARVA_KEEPERS = ("coordinator", "central_coordinator")
KEY = "matris-rutin"


def _resource(ctx: dict) -> int:
    """A Järva resource with two versions, made once per test."""
    resource = Resource.objects.filter(key=KEY).first()
    if resource is None:
        resource = Resource.objects.create(
            key=KEY,
            kind=Kind.ROUTINE,
            title="Rutin för matrisen",
            body="Första stycket.",
            owner=Organisation.objects.get(slug="jarva"),
            next_review_on=timezone.localdate(),
            version=2,
        )
        ResourceVersion.objects.create(resource=resource, number=1, title=resource.title, body="Utkast.")
        ResourceVersion.objects.create(resource=resource, number=2, title=resource.title, body=resource.body)
    return resource.pk


MATRIX = {
    "knowledge:resource": Entry(lambda ctx: f"/stod/{_resource(ctx)}/", expect(OK)),
    "knowledge:resource_create": Entry(lambda ctx: "/stod/ny/", only(*COORDINATORS)),
    "knowledge:resource_edit": Entry(lambda ctx: f"/stod/{_resource(ctx)}/andra/", only(*JARVA_KEEPERS)),
    # POST only: a GET is refused before anyone's role is asked.
    "knowledge:resource_archive": Entry(lambda ctx: f"/stod/{_resource(ctx)}/arkivera/", expect(NOT_ALLOWED)),
    "knowledge:resource_restore": Entry(lambda ctx: f"/stod/{_resource(ctx)}/aterstall/", expect(NOT_ALLOWED)),
    "knowledge:resource_history": Entry(lambda ctx: f"/stod/{_resource(ctx)}/historik/", expect(OK)),
    "knowledge:resource_diff": Entry(lambda ctx: f"/stod/{_resource(ctx)}/historik/1/2/", expect(OK)),
    "knowledge:by_key": Entry(lambda ctx: f"/stod/rutin/{KEY}/" if _resource(ctx) else "", expect(REDIRECT)),
}
