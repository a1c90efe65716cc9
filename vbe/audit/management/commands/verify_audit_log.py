from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.audit.checkpoints import (
    CheckpointError,
    append_checkpoint,
    checkpoint_path,
    compare_with_copy,
    read_checkpoints,
)
from vbe.audit.denials import flush_anonymous_denials
from vbe.audit.guards import database_guards
from vbe.audit.log import record, verify_log

INITIALISED = "audit_checkpoints_initialised"


class Command(BaseCommand):
    help = gettext_lazy(
        "Kontrollerar åtkomstloggens HMAC-kedja mot kontrollpunkterna utanför databasen (från den senaste "
        "kontrollpunkten, eller hela kedjan med --full), pekar ut den första brutna raden och skriver efter "
        "en godkänd kontroll en ny signerad kontrollpunkt."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help=gettext_lazy(
                "Kontrollera hela kedjan från rad 1, inte bara raderna sedan den senaste kontrollpunkten."
            ),
        )
        parser.add_argument(
            "--initialise",
            action="store_true",
            help=gettext_lazy(
                "Påbörja en saknad eller tom kontrollpunktsfil: en gång vid installationen, eller efter en "
                "utredd och dokumenterad förlust av filen. Användningen skrivs i åtkomstloggen."
            ),
        )
        parser.add_argument(
            "--against",
            metavar="KOPIA",
            help=gettext_lazy(
                "En kopia av kontrollpunkterna från en annan maskin (t.ex. stadens loggserver, även med "
                "syslog-prefix): varje kontrollpunkt i kopian måste finnas i den lokala filen."
            ),
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help=gettext_lazy("Misslyckas (i stället för att varna) när databasrollen kan stänga av loggens skydd."),
        )

    def handle(self, *args, full: bool, initialise: bool, against: str | None, strict: bool, **options) -> None:
        self._check_database_guards(strict=strict)
        # Denials counted in past minutes go into the log first, so that they are verified and anchored too.
        summaries = flush_anonymous_denials()
        if summaries:
            self.stdout.write(
                _("%(count)s sammanfattningar av nekade anonyma anrop skrevs till loggen.") % {"count": summaries}
            )
        path = checkpoint_path()
        try:
            anchors = read_checkpoints(path)
        except CheckpointError as exc:
            raise CommandError(
                _("Kontrollpunkterna för åtkomstloggen går inte att lita på: %(error)s") % {"error": exc}
            ) from exc
        if initialise and anchors:
            raise CommandError(
                _(
                    "--initialise används bara när kontrollpunktsfilen saknas eller är tom; %(path)s har redan "
                    "%(count)s kontrollpunkter. Kör utan --initialise."
                )
                % {"path": path, "count": len(anchors)}
            )
        if not anchors and not initialise:
            # Never start afresh on our own: a lost file is exactly what would hide a cut tail.
            raise CommandError(
                _(
                    "Kontrollpunktsfilen %(path)s saknas eller är tom, så det går inte att se om rader har tagits "
                    "bort från loggens slut. Återställ filen från kopian utanför servern (README, Drift). Bara vid "
                    "installationen, eller när förlusten är utredd och dokumenterad: kör verify_audit_log "
                    "--initialise (det skrivs i åtkomstloggen)."
                )
                % {"path": path}
            )
        if against:
            self._compare_with_copy(Path(against), anchors, path)
        if initialise:
            record(
                action=INITIALISED,
                actor=None,
                detail="verify_audit_log --initialise: kontrollpunktsfilen saknades eller var tom; en ny kedja "
                "av kontrollpunkter påbörjas vid denna rad",
            )
        since = anchors[-1] if anchors and not full else None
        verification = verify_log(anchors=anchors, since=since)
        broken = verification.broken
        if broken is not None:
            raise CommandError(
                _(
                    "Åtkomstloggen är inte intakt: första brutna rad är %(row)s (%(reason)s). %(checked)s rader "
                    "före den är kontrollerade i denna körning."
                )
                % {"row": broken.entry_id, "reason": broken.reason, "checked": verification.checked}
            )
        if since is None:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Åtkomstloggen är intakt: %(checked)s rader kontrollerade.") % {"checked": verification.checked}
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Åtkomstloggen är intakt till rad %(last)s: %(new)s nya rader sedan kontrollpunkten vid "
                        "rad %(row)s (%(at)s). Hela kedjan kontrolleras med --full."
                    )
                    % {
                        "last": verification.last_id,
                        "new": verification.last_id - since.entry_id,
                        "row": since.entry_id,
                        "at": since.at_text,
                    }
                )
            )
        try:
            written = append_checkpoint(
                entry_id=verification.last_id,
                mac=verification.last_mac,
                prev=anchors[-1] if anchors else None,
                path=path,
            )
        except (CheckpointError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise CommandError(
                _("Kontrollpunkten kunde inte skrivas till %(path)s: %(reason)s") % {"path": path, "reason": reason}
            ) from exc
        self.stdout.write(
            _("Kontrollpunkt skriven: rad %(row)s, i %(path)s (rad %(line)s).")
            % {"row": written.entry_id, "path": path, "line": written.line_no}
        )

    def _check_database_guards(self, *, strict: bool) -> None:
        report = database_guards(connection)
        for warning in report.warnings:
            self.stderr.write(_("Varning: %(warning)s") % {"warning": warning})
        problems = report.errors + (report.warnings if strict else [])
        if problems:
            raise CommandError(_("Databasens skydd av åtkomstloggen: %(problems)s") % {"problems": " ".join(problems)})

    def _compare_with_copy(self, copy: Path, anchors, path: Path) -> None:
        try:
            comparison = compare_with_copy(copy, anchors)
        except CheckpointError as exc:
            raise CommandError(
                _("Kopian av kontrollpunkterna går inte att använda: %(error)s") % {"error": exc}
            ) from exc
        if comparison.missing:
            newest = comparison.missing[-1]
            # How far the log itself still agrees with the copy: it must reach the copy's newest line.
            shipped = max(comparison.found, key=lambda checkpoint: checkpoint.entry_id)
            broken = verify_log(anchors=comparison.found, since=shipped).broken
            log_state = (
                _("Loggen stämmer inte heller med kopian: första brutna rad är %(row)s (%(reason)s).")
                % {"row": broken.entry_id, "reason": broken.reason}
                if broken
                else _("Loggen når ändå fram till kopians nyaste kontrollpunkt (rad %(row)s).")
                % {"row": shipped.entry_id}
            )
            missing = _(
                "Kopian %(copy)s har %(count)s kontrollpunkter som saknas i %(path)s; den nyaste, från %(at)s "
                "(rad %(line)s i kopian), gäller rad %(row)s i loggen. Den lokala filen har klippts eller skrivits "
                "om efter att raderna skickades."
            ) % {
                "copy": copy,
                "count": len(comparison.missing),
                "path": path,
                "at": newest.at_text,
                "line": newest.line_no,
                "row": newest.entry_id,
            }
            raise CommandError(f"{missing} {log_state}")
        self.stdout.write(
            _(
                "Kopian %(copy)s: alla %(count)s kontrollpunkter i kopian finns i %(path)s; %(local)s lokala rader "
                "finns inte i kopian (ännu inte skickade, eller förlorade på vägen)."
            )
            % {"copy": copy, "count": len(comparison.found), "path": path, "local": comparison.local_only}
        )
