from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

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
    help = (
        "Kontrollerar åtkomstloggens HMAC-kedja mot kontrollpunkterna utanför databasen (från den senaste "
        "kontrollpunkten, eller hela kedjan med --full), pekar ut den första brutna raden och skriver efter "
        "en godkänd kontroll en ny signerad kontrollpunkt."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Kontrollera hela kedjan från rad 1, inte bara raderna sedan den senaste kontrollpunkten.",
        )
        parser.add_argument(
            "--initialise",
            action="store_true",
            help=(
                "Påbörja en saknad eller tom kontrollpunktsfil: en gång vid installationen, eller efter en "
                "utredd och dokumenterad förlust av filen. Användningen skrivs i åtkomstloggen."
            ),
        )
        parser.add_argument(
            "--against",
            metavar="KOPIA",
            help=(
                "En kopia av kontrollpunkterna från en annan maskin (t.ex. stadens loggserver, även med "
                "syslog-prefix): varje kontrollpunkt i kopian måste finnas i den lokala filen."
            ),
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Misslyckas (i stället för att varna) när databasrollen kan stänga av loggens skydd.",
        )

    def handle(self, *args, full: bool, initialise: bool, against: str | None, strict: bool, **options) -> None:
        self._check_database_guards(strict=strict)
        # Denials counted in past minutes go into the log first, so that they are verified and anchored too.
        summaries = flush_anonymous_denials()
        if summaries:
            self.stdout.write(f"{summaries} sammanfattningar av nekade anonyma anrop skrevs till loggen.")
        path = checkpoint_path()
        try:
            anchors = read_checkpoints(path)
        except CheckpointError as exc:
            raise CommandError(f"Kontrollpunkterna för åtkomstloggen går inte att lita på: {exc}") from exc
        if initialise and anchors:
            raise CommandError(
                f"--initialise används bara när kontrollpunktsfilen saknas eller är tom; {path} har redan "
                f"{len(anchors)} kontrollpunkter. Kör utan --initialise."
            )
        if not anchors and not initialise:
            # Never start afresh on our own: a lost file is exactly what would hide a cut tail.
            raise CommandError(
                f"Kontrollpunktsfilen {path} saknas eller är tom, så det går inte att se om rader har tagits bort "
                f"från loggens slut. Återställ filen från kopian utanför servern (README, Drift). Bara vid "
                f"installationen, eller när förlusten är utredd och dokumenterad: kör verify_audit_log "
                f"--initialise (det skrivs i åtkomstloggen)."
            )
        if against:
            self._compare_with_copy(Path(against), anchors, path)
        if initialise:
            record(
                action=INITIALISED,
                detail="verify_audit_log --initialise: kontrollpunktsfilen saknades eller var tom; en ny kedja "
                "av kontrollpunkter påbörjas vid denna rad",
            )
        since = anchors[-1] if anchors and not full else None
        verification = verify_log(anchors=anchors, since=since)
        broken = verification.broken
        if broken is not None:
            raise CommandError(
                f"Åtkomstloggen är inte intakt: första brutna rad är {broken.entry_id} ({broken.reason}). "
                f"{verification.checked} rader före den är kontrollerade i denna körning."
            )
        if since is None:
            self.stdout.write(
                self.style.SUCCESS(f"Åtkomstloggen är intakt: {verification.checked} rader kontrollerade.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Åtkomstloggen är intakt till rad {verification.last_id}: "
                    f"{verification.last_id - since.entry_id} nya rader sedan kontrollpunkten vid rad "
                    f"{since.entry_id} ({since.at_text}). Hela kedjan kontrolleras med --full."
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
            raise CommandError(f"Kontrollpunkten kunde inte skrivas till {path}: {reason}") from exc
        self.stdout.write(f"Kontrollpunkt skriven: rad {written.entry_id}, i {path} (rad {written.line_no}).")

    def _check_database_guards(self, *, strict: bool) -> None:
        report = database_guards(connection)
        for warning in report.warnings:
            self.stderr.write(f"Varning: {warning}")
        problems = report.errors + (report.warnings if strict else [])
        if problems:
            raise CommandError("Databasens skydd av åtkomstloggen: " + " ".join(problems))

    def _compare_with_copy(self, copy: Path, anchors, path: Path) -> None:
        try:
            comparison = compare_with_copy(copy, anchors)
        except CheckpointError as exc:
            raise CommandError(f"Kopian av kontrollpunkterna går inte att använda: {exc}") from exc
        if comparison.missing:
            newest = comparison.missing[-1]
            # How far the log itself still agrees with the copy: it must reach the copy's newest line.
            shipped = max(comparison.found, key=lambda checkpoint: checkpoint.entry_id)
            broken = verify_log(anchors=comparison.found, since=shipped).broken
            log_state = (
                f"Loggen stämmer inte heller med kopian: första brutna rad är {broken.entry_id} ({broken.reason})."
                if broken
                else f"Loggen når ändå fram till kopians nyaste kontrollpunkt (rad {shipped.entry_id})."
            )
            raise CommandError(
                f"Kopian {copy} har {len(comparison.missing)} kontrollpunkter som saknas i {path}; den nyaste, "
                f"från {newest.at_text} (rad {newest.line_no} i kopian), gäller rad {newest.entry_id} i loggen. "
                f"Den lokala filen har klippts eller skrivits om efter att raderna skickades. {log_state}"
            )
        self.stdout.write(
            f"Kopian {copy}: alla {len(comparison.found)} kontrollpunkter i kopian finns i {path}; "
            f"{comparison.local_only} lokala rader finns inte i kopian (ännu inte skickade, eller förlorade på vägen)."
        )
