"""Two keepers save the same page at the same moment (PostgreSQL: real row locks): one change becomes
the next version, the other is refused as a conflict and writes nothing."""

from __future__ import annotations

from threading import Barrier, Thread

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.knowledge import resources
from vbe.knowledge.models import Kind, Resource, ResourceVersion
from vbe.knowledge.resources import Content
from vbe.organisations.models import Organisation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]


def test_two_edits_of_the_same_version_make_one_version_and_one_conflict(cast):
    owner = Organisation.objects.get(slug="jarva")
    resource = resources.create_resource(
        actor=cast["coordinator"], content=Content(kind=Kind.ROUTINE, title="Rutin", owner=owner, body="Början.")
    )
    barrier, results, errors = Barrier(2), [], []

    def run(name: str, body: str) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(
                resources.update_resource(
                    actor=User.objects.get(pk=cast[name].pk),
                    resource_id=resource.pk,
                    lock_version=0,
                    content=Content(kind=Kind.ROUTINE, title="Rutin", owner=owner, body=body),
                )
            )
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        Thread(target=run, args=("coordinator", "Samordnarens text.")),
        Thread(target=run, args=("central_coordinator", "Den centrala samordnarens text.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and "ändrats av någon annan" in errors[0].messages[0]
    saved = Resource.objects.get(pk=resource.pk)
    assert (saved.version, saved.lock_version, saved.body) == (2, 1, results[0].body)
    assert list(ResourceVersion.objects.filter(resource=saved).order_by("number").values_list("number", "body")) == [
        (1, "Början."),
        (2, results[0].body),
    ]
    assert AccessLogEntry.objects.filter(action="resource_changed").count() == 1
