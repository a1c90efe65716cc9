"""URL × role entries for accounts: re-authentication, the password link and the four-eyes pages
(gathered by tests/test_url_role_matrix.py, which lets an app's entry replace a core one)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from tests.matrix import FORBIDDEN, NOT_ALLOWED, NOT_FOUND, OK, REDIRECT, Entry, expect, only
from vbe.organisations.models import Organisation

DECIDERS = ("admin", "central_coordinator")

MATRIX: dict[str, Entry] = {
    "accounts:reauthenticate": Entry(lambda ctx: "/konto/bekrafta/", expect(OK)),
    # A wrong link shows "Länken fungerar inte" to anyone: the token is the key, not the session.
    "accounts:set_password": Entry(lambda ctx: "/konto/valj-losenord/MQ/fel-token/", expect(OK, anonymous=OK)),
    "accounts:access_changes": Entry(lambda ctx: "/behorighetsforslag/", only(*DECIDERS)),
    "accounts:access_change_decide": Entry(lambda ctx: "/behorighetsforslag/1/", expect(NOT_ALLOWED)),
    # "View on site" looks up only models the user administers here, so it cannot probe for
    # objects (concerns) elsewhere; the central coordinator does not administer organisations.
    "admin:view_on_site": Entry(
        lambda ctx: f"/admin/r/{ContentType.objects.get_for_model(Organisation).pk}/{ctx['pk'](Organisation)}/",
        expect(FORBIDDEN, anonymous=REDIRECT, admin=REDIRECT, central_coordinator=NOT_FOUND),
    ),
}
