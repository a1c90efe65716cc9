"""Two handlers raising one concern from the same page at once (PostgreSQL: real row locks): one raising
is recorded, the other is told that someone else changed the concern."""

from __future__ import annotations

from threading import Barrier, Thread

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vbe.accounts.models import User
from vbe.collaboration.models import ForumRaising
from vbe.collaboration.raising import raise_in_forum
from vbe.collaboration.tests.raising_fixtures import LEGAL_GROUND, RAISED_ON, forum, jarva_concern, version
from vbe.concerns.models import ActionKind, ActionTaken, Event

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]


def test_two_handlers_raising_at_once_record_one_raising(cast):
    concern = jarva_concern(cast)
    seen = version(concern)
    forum_id = forum("SSPF Järva").pk
    actors = [cast["coordinator"].pk, cast["caseworker"].pk]
    barrier, made, refused, errors = Barrier(2), [], [], []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            made.append(
                raise_in_forum(
                    actor=User.objects.get(pk=actors[i]),
                    concern_id=concern.pk,
                    lock_version=seen,
                    kind=ActionKind.RAISED_IN_SSPF,
                    forum_id=forum_id,
                    done_on=RAISED_ON,
                    legal_ground=LEGAL_GROUND,
                )
            )
        except ValidationError as exc:
            refused.extend(exc.messages)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(made) == 1 and len(refused) == 1 and "någon annan" in refused[0]
    assert ForumRaising.objects.count() == 1
    assert ActionTaken.objects.filter(concern=concern).count() == 1
    assert Event.objects.filter(concern=concern, kind="action").count() == 1
    assert version(concern) == seen + 1
