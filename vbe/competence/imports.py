"""Bulk imports of completions (from a learning platform) and headcounts (from HR): the services.

The way of a file: ``upload`` stores it (outside the web root, under a random key in the default
storage) and proposes a column mapping; ``save_mapping`` remembers the mapping for files with the same
headers and starts the check job; ``request_import`` starts the import job of a checked file. The jobs
(``vbe.competence.import_jobs``) run ``run_check`` and ``run_import`` here, and the writing of the rows
is in ``vbe.competence.import_writes``.

Nothing is half-imported: a file with any bad row is rejected whole, and the import writes every row
in one transaction. Re-importing the same rows changes nothing: a completion is one person, course and
day (a unique constraint; rows already there are skipped by the database with ``ignore_conflicts``,
which also keeps two imports of the same file running at once from writing anything twice).

An uploaded file holds names and e-mail addresses: it is deleted once imported, and a file left
unimported is deleted ``KEEP_UPLOADS`` after its upload (``remove_stale_files``, a daily job); the
import stays, saying the file must be uploaded again.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import secrets
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.competence import import_fields, import_files, import_rows, import_writes
from vbe.competence.models import CompletionImport, ImportKind, ImportMapping, ImportState
from vbe.core import private_files
from vbe.jobs import progress
from vbe.jobs.models import Job
from vbe.organisations.models import Organisation

PREFIX = "training-imports"
MAX_ERRORS_KEPT = 200
KEEP_UPLOADS = datetime.timedelta(days=7)  # an unimported file is deleted this long after its upload
STALE = _("Importen har ändrats av någon annan sedan sidan visades. Ladda om sidan och försök igen.")
FILE_REMOVED = _("Den uppladdade filen är borttagen eftersom den inte importerades inom 7 dagar. Ladda upp filen igen.")
BUSY_STATES = (ImportState.CHECKING, ImportState.IMPORTING)


# --- Reading ------------------------------------------------------------------------------------


def visible_imports(user: User, organisation: Organisation) -> QuerySet[CompletionImport]:
    """The organisation's imports the user may see: all of them for a coordinator, a unit manager's own."""
    imports = CompletionImport.objects.filter(organisation=organisation)
    if permissions.training_unit_scope(user, organisation.pk) is not None:
        imports = imports.filter(uploaded_by=user)
    return imports


def file_removed(imp: CompletionImport) -> bool:
    """The stored file was deleted before it was imported (``remove_stale_files``)."""
    return not imp.file


def status_url(imp: CompletionImport) -> str:
    return reverse("competence:import_status", kwargs={"organisation": imp.organisation.slug, "pk": imp.pk})


def _raw(stored: File | UploadedFile) -> IO[bytes]:
    """The file object under Django's wrapper, which the csv and zip readers need."""
    return getattr(stored, "file", stored)


def first_rows(imp: CompletionImport, limit: int) -> list[tuple[int, list[str]]]:
    """The file's first rows as they stand in it (for the preview), each value cut short and any that
    could be a personnummer masked: the page shows what the user needs to see the columns, no more."""
    rows: list[tuple[int, list[str]]] = []
    if imp.state == ImportState.DONE or file_removed(imp):
        return rows  # the file is removed once imported, or when left unimported too long
    try:
        with default_storage.open(imp.file, "rb") as stored, import_files.open_table(_raw(stored), _kind(imp)) as table:
            for line, cells in table.rows:
                rows.append((line, [masked(cell) for cell in cells]))
                if len(rows) >= limit:
                    break
    except (import_files.FileProblem, OSError):
        pass  # the check says what is wrong with the file
    return rows


def masked(value: str) -> str:
    """A value of the file as a page shows it: cut short, and never a personnummer."""
    if import_fields.personnummer_at([value]) is not None:
        return _("(ett personnummer, visas inte)")
    return import_fields.shown(value)


def examples(imp: CompletionImport, rows: int) -> list[str]:
    """Per column of the file, one value to recognise it by: the first that is not blank in the first
    ``rows`` rows (masked, see ``masked``). The mapping screen shows this, not whole rows of people."""
    found = [""] * len(imp.headers)
    for _line, cells in first_rows(imp, rows):
        for index, cell in enumerate(cells[: len(found)]):
            found[index] = found[index] or cell
        if all(found):
            break
    return found


def preview(imp: CompletionImport, limit: int = 10) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The mapped fields' labels, and the first rows as those fields."""
    fields = [(name, label) for name, label in import_fields.fields_of(imp.kind) if name in imp.mapping]
    rows = [
        (line, [cells[imp.mapping[name]] if imp.mapping[name] < len(cells) else "" for name, _label in fields])
        for line, cells in first_rows(imp, limit)
    ]
    return [str(label) for _name, label in fields], rows


def _kind(imp: CompletionImport) -> str:
    return import_files.XLSX if imp.file.endswith(".xlsx") else import_files.CSV


# --- Upload and mapping -------------------------------------------------------------------------


def _require(actor: User, organisation: Organisation) -> None:
    permissions.require(actor, Action.MANAGE_ORGANISATION_TRAINING, organisation)


def upload(
    *, actor: User, organisation: Organisation, kind: str, year: int | None, file: UploadedFile
) -> CompletionImport:
    """Stores an uploaded export and proposes its mapping: the one remembered for these headers, or a
    guess from the headers' names. A file with a personnummer column is not taken in at all."""
    _require(actor, organisation)
    if kind == ImportKind.HEADCOUNTS and year is None:
        raise ValidationError({"year": _("Ange vilket år antalen gäller.")})
    raw = _raw(file)
    try:
        file_kind, headers = import_files.inspect_upload(raw, file.size)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if refused := import_files.personnummer_headers(headers):
        raise ValidationError(
            {
                "file": _(
                    "Filen har en kolumn med personnummer (%(column)s). Ta bort kolumnen och ladda upp filen igen: "
                    "personer matchas på e-postadress eller anställningsnummer."
                )
                % {"column": refused[0][:60]}
            }
        )
    if import_fields.personnummer_at(headers) is not None:
        # No header row, or a value where a header should be: kept as the headers, it would be shown.
        raise ValidationError(
            {
                "file": _(
                    "Filens första rad innehåller ett personnummer. Första raden ska vara kolumnernas rubriker, "
                    "och personnummer tas inte emot."
                )
            }
        )
    digest = hashlib.sha256()
    raw.seek(0)
    while chunk := raw.read(import_files.CHUNK):
        digest.update(chunk)
    raw.seek(0)
    key = f"{PREFIX}/{secrets.token_hex(16)}.{file_kind}"
    saved = default_storage.save(key, File(raw))
    try:
        if saved != key:  # the storage chose another name: not the file we meant
            raise FileExistsError(key)
        remembered = ImportMapping.objects.filter(
            organisation=organisation, kind=kind, signature=import_files.signature(headers)
        ).first()
        mapping = remembered.mapping if remembered else import_fields.guess_mapping(kind, headers)
        return CompletionImport.objects.create(
            kind=kind,
            organisation=organisation,
            uploaded_by=actor,
            file=key,
            file_name=os.path.basename(file.name or "")[:200] or _("fil"),
            sha256=digest.hexdigest(),
            headers=headers,
            mapping={k: v for k, v in mapping.items() if isinstance(v, int) and 0 <= v < len(headers)},
            year=year if kind == ImportKind.HEADCOUNTS else None,
        )
    except BaseException:
        default_storage.delete(saved)
        raise


def _for_update() -> QuerySet[CompletionImport]:
    """The import, locked alone (``of``): locking the organisation joined in too would hold up every
    write that refers to the organisation (a foreign key's check waits for it) while an import writes."""
    return CompletionImport.objects.select_for_update(of=("self",)).select_related("organisation")


def _locked(*, actor: User, import_id: int, lock_version: int) -> CompletionImport:
    imp = _for_update().filter(pk=import_id).first()
    if imp is None:
        raise ValidationError(_("Importen finns inte längre."))
    # Asked again under the lock: the right may have ended since the page was shown.
    _require(actor, imp.organisation)
    if not visible_imports(actor, imp.organisation).filter(pk=imp.pk).exists():
        raise PermissionDenied
    if imp.lock_version != lock_version:
        raise ValidationError(STALE)
    return imp


def _busy(imp: CompletionImport) -> bool:
    """Checked or imported just now: a job is queued or running (a job that died leaves it free)."""
    if imp.state not in BUSY_STATES:
        return False
    return imp.job_id is not None and Job.objects.filter(pk=imp.job_id, finished_at__isnull=True).exists()


def check_mapping(kind: str, headers: list[str], mapping: dict[str, int]) -> None:
    """Each required field mapped, at least one way to know a person, no column used twice."""
    names = {name for name, _label in import_fields.fields_of(kind)}
    errors: dict[str, list[str]] = {}
    for name, column in mapping.items():
        if name not in names or not 0 <= column < len(headers):
            raise ValidationError(_("Kolumnvalet stämmer inte med filen. Ladda om sidan och försök igen."))
    for name in import_fields.REQUIRED[ImportKind(kind)]:
        if name not in mapping:
            errors.setdefault(name, []).append(_("Välj kolumnen med det här."))
    if kind == ImportKind.COMPLETIONS and "email" not in mapping and "employee_number" not in mapping:
        errors.setdefault("email", []).append(_("Välj kolumnen med e-postadress, anställningsnummer eller båda."))
    seen: dict[int, str] = {}
    for name, column in mapping.items():
        if column in seen:
            errors.setdefault(name, []).append(_("Kolumnen är redan vald för ett annat fält."))
        seen[column] = name
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_mapping(*, actor: User, import_id: int, lock_version: int, mapping: dict[str, int]) -> Job:
    """Keeps the mapping (also for the next file with these headers) and starts the check."""
    from vbe.competence import import_jobs  # the tasks call back into this module

    imp = _locked(actor=actor, import_id=import_id, lock_version=lock_version)
    if imp.state == ImportState.DONE:
        raise ValidationError(_("Filen är redan importerad."))
    if file_removed(imp):
        raise ValidationError(FILE_REMOVED)
    if _busy(imp):
        raise ValidationError(_("Filen kontrolleras eller importeras just nu. Vänta tills det är klart."))
    check_mapping(imp.kind, imp.headers, mapping)
    signature = import_files.signature(imp.headers)
    now = timezone.now()
    try:
        with transaction.atomic():
            ImportMapping.objects.update_or_create(
                organisation_id=imp.organisation_id,
                kind=imp.kind,
                signature=signature,
                defaults={"mapping": mapping, "updated_at": now},
            )
    except IntegrityError:  # remembered by another upload at the same moment: this one is as good
        ImportMapping.objects.filter(organisation_id=imp.organisation_id, kind=imp.kind, signature=signature).update(
            mapping=mapping, updated_at=now
        )
    job = progress.start(
        kind="training_import_check",
        title=_("Kontroll av %(file)s") % {"file": imp.file_name},
        owner=actor,
        task=import_jobs.check_import,
        args=(imp.pk,),
    )
    imp.mapping = mapping
    imp.state = ImportState.CHECKING
    imp.errors, imp.error_count, imp.rows = [], 0, 0
    imp.job = job
    imp.lock_version += 1
    imp.save(update_fields=["mapping", "state", "errors", "error_count", "rows", "job", "lock_version"])
    return job


@transaction.atomic
def request_import(*, actor: User, import_id: int, lock_version: int) -> Job:
    """Starts the import of a checked file; asked twice at once, the second is refused under the lock."""
    from vbe.competence import import_jobs

    imp = _locked(actor=actor, import_id=import_id, lock_version=lock_version)
    if file_removed(imp):
        raise ValidationError(FILE_REMOVED)
    if imp.state != ImportState.READY:
        raise ValidationError(
            _("Filen kan inte importeras nu: den är %(state)s.") % {"state": imp.get_state_display().lower()}
        )
    job = progress.start(
        kind="training_import",
        title=_("Import av %(file)s") % {"file": imp.file_name},
        owner=actor,
        task=import_jobs.import_file,
        args=(imp.pk,),
    )
    imp.state = ImportState.IMPORTING
    imp.job = job
    imp.lock_version += 1
    imp.save(update_fields=["state", "job", "lock_version"])
    return job


# --- The jobs -----------------------------------------------------------------------------------


def _ours(imp: CompletionImport, job_id: str, state: str) -> bool:
    return imp.state == state and str(imp.job_id) == str(job_id)


def _read(imp: CompletionImport, owner: User, job_id: str, stage: str) -> import_rows.Outcome:
    """Every row of the file, checked, with progress every few thousand rows (outside any
    transaction, so the progress page sees each report at once)."""
    context = import_rows.load_context(
        organisation_id=imp.organisation_id,
        scope=permissions.training_unit_scope(owner, imp.organisation_id),
        today=timezone.localdate(),
    )

    def report(done: int, total: int | None) -> None:
        progress.report(job_id, stage=stage, done=done, total=max(total, done) if total is not None else None)

    check = import_rows.check_completions if imp.kind == ImportKind.COMPLETIONS else import_rows.check_headcounts
    try:
        with (
            default_storage.open(imp.file, "rb") as stored,
            import_files.open_table(_raw(stored), _kind(imp), count=True) as table,
        ):
            report(0, table.total)
            outcome = check(table, imp.mapping, context, report)
    except import_files.FileProblem as problem:
        outcome = import_rows.Outcome()
        outcome.add_error(problem.line or 1, problem.message)
    except OSError:  # the stored file cannot be read (lost from the storage)
        outcome = import_rows.Outcome()
        outcome.add_error(1, _("Den uppladdade filen finns inte längre. Ladda upp filen igen."))
    outcome.errors.sort(key=lambda error: error[0])
    return outcome


def _reject(imp: CompletionImport, outcome: import_rows.Outcome, owner: User) -> str:
    imp.state = ImportState.REJECTED
    imp.rows = outcome.rows
    imp.errors = [{"line": line, "message": message} for line, message in outcome.errors[:MAX_ERRORS_KEPT]]
    imp.error_count = len(outcome.errors)
    imp.finished_at = timezone.now()
    imp.lock_version += 1
    imp.save()
    record(
        action="training_import_rejected",
        actor=owner,
        obj=imp,
        organisation_id=imp.organisation_id,
        detail=f"kind={imp.kind} rows={imp.rows} errors={imp.error_count}",
    )
    return _("Filen avvisades: %(errors)s fel på %(rows)s rader. Inget har sparats.") % {
        "errors": imp.error_count,
        "rows": imp.rows,
    }


def run_check(job_id: str, import_id: int) -> None:
    job = Job.objects.select_related("owner").get(pk=job_id)
    imp = CompletionImport.objects.select_related("organisation").filter(pk=import_id).first()
    if imp is None or not _ours(imp, job_id, ImportState.CHECKING):
        progress.finish(job_id, message=_("Inget att kontrollera: filen har redan kontrollerats eller ändrats."))
        return
    outcome = _read(imp, job.owner, job_id, _("Kontrollerar raderna"))
    with transaction.atomic():
        imp = _for_update().get(pk=import_id)
        if not _ours(imp, job_id, ImportState.CHECKING):
            message = _("Kontrollen avbröts: filen ändrades under tiden.")
        elif outcome.errors:
            message = _reject(imp, outcome, job.owner)
        else:
            imp.state = ImportState.READY
            imp.rows, imp.errors, imp.error_count = outcome.rows, [], 0
            imp.lock_version += 1
            imp.save()
            message = _("Filen har %(rows)s rader utan fel och är klar att importera.") % {"rows": imp.rows}
    progress.finish(job_id, message=message, result_url=status_url(imp))


def run_import(job_id: str, import_id: int) -> None:
    job = Job.objects.select_related("owner").get(pk=job_id)
    owner = job.owner
    imp = CompletionImport.objects.select_related("organisation").filter(pk=import_id).first()
    if imp is None or not _ours(imp, job_id, ImportState.IMPORTING):
        progress.finish(job_id, message=_("Inget att importera: filen har redan importerats."))
        return
    # The rows are read and checked again: the register may have changed since the check.
    outcome = _read(imp, owner, job_id, _("Läser och kontrollerar raderna igen"))
    # What happens inside the transaction below is seen by others only when it commits, the progress
    # reports too: the write phase reports its stage once, before it starts, and then nothing.
    progress.report(job_id, stage=_("Sparar i registret – antalet visas när allt är sparat"))
    with transaction.atomic():
        imp = _for_update().get(pk=import_id)
        # Under the lock: one import job writes, and only once (a second finds the state moved on).
        if not _ours(imp, job_id, ImportState.IMPORTING):
            message = _("Inget att importera: filen har redan importerats.")
        elif not permissions.can(owner, Action.MANAGE_ORGANISATION_TRAINING, imp.organisation):
            imp.state = ImportState.READY
            imp.save(update_fields=["state"])
            message = _("Importen gjordes inte: du har inte längre behörighet att importera för organisationen.")
        elif outcome.errors:
            message = _reject(imp, outcome, owner)
        else:
            try:
                with transaction.atomic():  # a savepoint: what was written before the refusal goes
                    message = import_writes.write(imp, outcome, owner)
            except import_writes.OutOfScope as refused:
                outcome.errors = refused.errors
                message = _reject(imp, outcome, owner)
    progress.finish(job_id, message=message, result_url=status_url(imp))


# --- Files left unimported ----------------------------------------------------------------------


def remove_stale_files(*, now: datetime.datetime) -> int:
    """Deletes the stored file of every import not done whose upload is older than ``KEEP_UPLOADS``
    (the file holds names and e-mail addresses; nobody is going to import it). The import stays, its
    ``file`` blank: its page says the file was removed, and checking or importing it is refused. Its
    kept row errors go too, as they can quote the file's values. An import being checked or imported
    just now is left until its job ends. Returns how many files were deleted."""
    candidates = (
        CompletionImport.objects.filter(created_at__lt=now - KEEP_UPLOADS)
        .exclude(state=ImportState.DONE)
        .exclude(file="")
        .values_list("pk", flat=True)
    )
    removed = 0
    for import_id in list(candidates):
        # One import at a time under its lock, as save_mapping and request_import take it: a job is
        # either started before (and the file kept) or refused after.
        with transaction.atomic():
            imp = CompletionImport.objects.select_for_update().filter(pk=import_id).first()
            if imp is None or imp.state == ImportState.DONE or file_removed(imp) or _busy(imp):
                continue
            key = imp.file
            imp.file, imp.errors = "", []
            imp.lock_version += 1
            imp.save(update_fields=["file", "errors", "lock_version"])
            record(
                action="training_import_file_removed",
                actor=None,
                obj=imp,
                organisation_id=imp.organisation_id,
                detail=f"kind={imp.kind} uploaded={imp.created_at.date().isoformat()}",
            )
            private_files.delete_after_commit(key)
        removed += 1
    return removed
