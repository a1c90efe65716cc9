"""Threaded races for the tests that prove a write happens once (PostgreSQL: SQLite serialises writes and
hides races). Each test module marks itself with ``POSTGRES_RACE`` and calls ``race``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from threading import Barrier, Thread
from typing import TypeVar

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

T = TypeVar("T")

POSTGRES_RACE = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]


def race(work: Callable[[T], object], arguments: Iterable[T] = (0, 1)) -> tuple[list[object], list[str]]:
    """Runs ``work`` once for each argument, in threads that start together: what the runs returned, and
    the messages of the ones refused with a ValidationError. Any other exception fails the test."""
    arguments = list(arguments)
    barrier, results, refused, errors = Barrier(len(arguments)), [], [], []

    def run(argument: T) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work(argument))
        except ValidationError as exc:
            refused.extend(exc.messages)
        except Exception as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results, refused
