"""Two keepers of the symbol guide at once (PostgreSQL: real row locks): one entry per name, and never
more images than the limit, with no file left behind by the one refused."""

from __future__ import annotations

from collections.abc import Callable
from threading import Barrier, Thread

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vbe.accounts.models import User
from vbe.audit.models import AccessLogEntry
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import symbols
from vbe.incidents.symbol_models import Symbol, SymbolImage
from vbe.incidents.tests.test_symbols import clean_png, make_symbol, stored_files

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs row locks (PostgreSQL)"),
]


def twice_at_once(work: Callable[[], object]) -> tuple[list[object], list[Exception]]:
    barrier, results, errors = Barrier(2), [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as exc:  # surfaced by the caller: a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connection.close()

    threads = [Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_two_new_entries_of_one_name_at_once_make_one(cast):
    results, errors = twice_at_once(
        lambda: symbols.create_symbol(
            actor=User.objects.get(pk=cast["central_coordinator"].pk),
            name="Svarta solen",
            environment=Environment.RIGHT_WING,
            description="Ett hjul av runor.",
        )
    )
    assert len(results) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError) and "finns redan" in str(errors[0])
    assert Symbol.objects.count() == 1
    assert AccessLogEntry.objects.filter(action="symbol_created").count() == 1


def test_two_uploads_at_once_never_pass_the_limit(cast, upload_dir):
    symbol = make_symbol(cast)
    actor = User.objects.get(pk=cast["central_coordinator"].pk)
    for _ in range(symbols.MAX_IMAGES - 1):
        symbols.add_image(actor=actor, symbol_id=symbol.pk, image=clean_png(), alt_text="Yta")
    image = clean_png()
    results, errors = twice_at_once(
        lambda: symbols.add_image(actor=actor, symbol_id=symbol.pk, image=image, alt_text="Sista ytan")
    )
    assert len(results) == 1
    assert len(errors) == 1 and "högst" in str(errors[0])
    positions = list(SymbolImage.objects.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, symbols.MAX_IMAGES + 1))
    assert len(stored_files(upload_dir)) == symbols.MAX_IMAGES
