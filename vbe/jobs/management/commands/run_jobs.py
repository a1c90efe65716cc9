"""The worker: runs the queued jobs and enqueues the periodic ones when they are due."""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.translation import gettext_lazy
from django_tasks_db.management.commands import db_worker

from vbe.jobs.schedule import enqueue_due

logger = logging.getLogger(__name__)
SCHEDULE_EVERY_SECONDS = 30


@contextmanager
def _connection_kept_inside_a_transaction() -> Iterator[None]:
    """The worker closes "old" connections between tasks, as Django does between requests. Run inside
    a transaction (a test, or a caller's atomic block), that would close the connection under it (on
    PostgreSQL the caller's next query fails), so while one is open the worker keeps the connection."""
    if not connection.in_atomic_block:
        yield
        return
    original = db_worker.close_old_connections
    db_worker.close_old_connections = lambda **kwargs: None
    try:
        yield
    finally:
        db_worker.close_old_connections = original


class Command(BaseCommand):
    help = gettext_lazy(
        "Kör portalens bakgrundsjobb: importer och de återkommande jobben (påminnelser, nya försök att skicka "
        "e-post). Flera kan köras samtidigt, på en eller flera maskiner."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help=gettext_lazy("Lägg de återkommande jobb som är på tur i kön, kör allt som väntar och avsluta."),
        )
        parser.add_argument("--interval", type=float, default=1.0, help=gettext_lazy("Sekunder mellan tittarna i kön."))

    def handle(self, *args, batch: bool = False, interval: float = 1.0, **options) -> None:
        worker_options = {
            "reload": False,
            "startup_delay": False,
            "interval": interval,
            "verbosity": options["verbosity"],
        }
        if batch:
            enqueue_due()
            with _connection_kept_inside_a_transaction():
                call_command("db_worker", batch=True, **worker_options)
            return
        stop = threading.Event()
        scheduler = threading.Thread(target=self._schedule, args=(stop,), name="vbe-schedule", daemon=True)
        scheduler.start()
        try:
            call_command("db_worker", **worker_options)
        finally:
            stop.set()

    @staticmethod
    def _schedule(stop: threading.Event) -> None:
        """In its own thread with its own database connection, closed after each round."""
        while not stop.is_set():
            try:
                enqueue_due()
            except Exception:  # a lost database: logged, and tried again next round
                logger.exception("De återkommande jobben kunde inte läggas i kön.")
            finally:
                connection.close()
            stop.wait(SCHEDULE_EVERY_SECONDS)
