"""Which resource a request reaches, the same on every page of a resource (its text, history, files,
review): an archived resource is not found (404) by anyone but its keepers, so no page tells another
reader that it exists, not even by answering 403 instead of 404. And the resource as every write
finds it (``locked``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from vbe.accounts import permissions
from vbe.accounts.guarded import Person
from vbe.accounts.permissions import Action, require
from vbe.knowledge.models import Resource


def readable(request: HttpRequest, pk: int, rows: QuerySet[Resource] | None = None) -> tuple[Resource, bool]:
    """The resource and whether the user keeps it."""
    require(request.user, Action.VIEW_SUPPORT)
    resource = get_object_or_404(rows if rows is not None else Resource.objects.select_related("owner"), pk=pk)
    can_manage = permissions.can(request.user, Action.MANAGE_RESOURCES, resource.owner)
    if not resource.is_active and not can_manage:
        raise Http404
    return resource, can_manage


def kept(request: HttpRequest, pk: int, rows: QuerySet[Resource] | None = None) -> Resource:
    """The resource, for those who keep it: 403 for other readers of an active one."""
    resource, _can_manage = readable(request, pk, rows)
    require(request.user, Action.MANAGE_RESOURCES, resource.owner)
    return resource


def locked(actor: Person, resource_id: int) -> Resource:
    """For a write: the resource's own row locked (not its owner's, which other writes read), and the
    actor's right over its present owner asked again under the lock (a role may have ended, or someone
    moved the resource to another owner, since the page was shown)."""
    resource = Resource.objects.select_for_update(of=("self",)).select_related("owner").get(pk=resource_id)
    require(actor, Action.MANAGE_RESOURCES, resource.owner)
    return resource
