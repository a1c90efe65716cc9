"""The plan cycle as a calendar: what is due, per organisation and city-wide; an iCalendar feed per
user; and reminders to the responsible coordinators before each deadline."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from vbe.accounts.models import User
from vbe.accounts.recipients import coordinators_of
from vbe.guidelines.duties import DueDocument
from vbe.guidelines.models import ReminderSent, ReportingDuty
from vbe.notifications import outbox
from vbe.organisations.models import Organisation

FEED_SALT = "vbe.guidelines.calendar-feed"


def due_between(
    start: datetime.date, end: datetime.date, organisations: Iterable[Organisation] | None = None
) -> list[tuple[Organisation, DueDocument]]:
    """Every (organisation, document) due from ``start`` to ``end`` inclusive, by date. Two queries."""
    wanted = {o.pk for o in organisations} if organisations is not None else None
    duties = ReportingDuty.objects.filter(guideline__is_current=True).prefetch_related("organisations")
    items = []
    for duty in duties:
        for year in range(start.year, end.year + 1):
            due = duty.due_date(year)
            if not duty.applies_in(year) or not start <= due <= end:
                continue
            for organisation in duty.organisations.all():
                if organisation.is_active and (wanted is None or organisation.pk in wanted):
                    items.append((organisation, DueDocument(duty, year, due)))
    return sorted(items, key=lambda item: (item[1].due, item[0].name))


# --- iCalendar feed ------------------------------------------------------------------------


def feed_token(user: User) -> str:
    """A signed token naming the user; "Logga ut överallt" (session generation) revokes it."""
    return signing.dumps([user.pk, user.session_generation], salt=FEED_SALT, compress=True)


def user_for_token(token: str) -> User | None:
    try:
        user_id, generation = signing.loads(token, salt=FEED_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return User.objects.filter(pk=user_id, is_active=True, session_generation=generation).first()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets are folded with CRLF + space."""
    raw = line.encode()
    parts = []
    while len(raw) > 75:
        cut = 75
        while (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = raw[cut:]
    parts.append(raw.decode())
    return "\r\n ".join(parts)


def icalendar(items: list[tuple[Organisation, DueDocument]], *, now: datetime.datetime) -> str:
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{settings.SERVICE_NAME}//Planeringscykeln//SV",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:" + _("%(service)s: att rapportera") % {"service": settings.SERVICE_NAME},
    ]
    for organisation, item in items:
        day = item.due.strftime("%Y%m%d")
        following = (item.due + datetime.timedelta(days=1)).strftime("%Y%m%d")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{item.duty.document}-{organisation.slug}-{item.year}@vbe-portalen",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day}",
            f"DTEND;VALUE=DATE:{following}",
            "SUMMARY:"
            + _escape(
                _("%(document)s (%(organisation)s) ska vara klar")
                % {"document": item.label, "organisation": organisation.display_name}
            ),
            f"DESCRIPTION:{_escape(item.duty.description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


# --- Reminders -------------------------------------------------------------------------------


def send_reminders(*, today: datetime.date, days_before: Iterable[int]) -> int:
    """E-mails the coordinators of each organisation N days before each deadline. Idempotent per day:
    a reminder already sent (duty, organisation, year, N) is never sent again."""
    sent = 0
    horizon = today + datetime.timedelta(days=max(days_before))
    for organisation, item in due_between(today, horizon):
        n = (item.due - today).days
        if n not in days_before:
            continue
        recipients = list(coordinators_of(organisation.pk))
        if not recipients:
            continue
        try:
            # The reminder and its messages are saved together: a mail server that is down delays the
            # messages (the daily retry sends them) but never marks a reminder sent that nobody got.
            with transaction.atomic():
                ReminderSent.objects.create(duty=item.duty, organisation=organisation, year=item.year, days_before=n)
                outbox.queue(
                    recipients=recipients,
                    kind="reminder",
                    reference=f"{item.duty.document}-{item.year}"[:30],
                    subject=_("Påminnelse: %(document)s ska vara klar %(due)s")
                    % {"document": item.label, "due": f"{item.due:%Y-%m-%d}"},
                    body=(
                        _(
                            "%(organisation)s ska enligt riktlinjerna ha %(document)s klar senast %(due)s "
                            "(%(days)s dagar kvar)."
                        )
                        % {
                            "organisation": organisation.name,
                            "document": item.label.lower(),
                            "due": f"{item.due:%Y-%m-%d}",
                            "days": n,
                        }
                        + f"\n\n{item.duty.description}\n\n"
                        + _("Se vad som återstår i %(service)s: %(url)s")
                        % {"service": settings.SERVICE_NAME, "url": outbox.absolute_url(reverse("guidelines:calendar"))}
                    ),
                )
        except IntegrityError:
            continue
        sent += 1
    return sent
