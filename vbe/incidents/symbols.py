"""The symbol guide's one write path: entries and their images, kept by the central coordinator
(MANAGE_SYMBOL_GUIDE).

Each write asks the permission again under the row lock (a role may have ended since the page was
shown), checks the version the form was shown with where the entry's text changes, writes, and appends
one access-log row. Entries are deactivated, never deleted: incidents name them (PROTECT). Images go
through the same checks as an incident's photos (vbe.incidents.uploads) and are written before the
commit; a failed write removes them again (``kept_only_if_committed``), a removed image's file goes
once the removal has committed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vbe.accounts import permissions
from vbe.accounts.models import User
from vbe.accounts.permissions import Action
from vbe.audit.log import record
from vbe.core.textcheck import reject_identifying_numbers
from vbe.guidelines.vocabulary import Environment
from vbe.incidents import uploads
from vbe.incidents.symbol_models import MAX_ALT_TEXT, Symbol, SymbolImage

STALE = gettext_lazy(
    "Symbolen har ändrats av någon annan sedan du öppnade sidan. Ladda om sidan och gör ändringen igen."
)
MAX_IMAGES = 6
MAX_NAME = 120
MAX_DESCRIPTION = 5000
MAX_WHAT_TO_DO = 2000
# Path segments of the guide's own pages: never an entry's address.
RESERVED_SLUGS = frozenset({"ny"})


def _may_manage(actor: User) -> None:
    permissions.require(actor, Action.MANAGE_SYMBOL_GUIDE)


def _name_taken(name: str, *, other_than: int | None) -> bool:
    """Compared case-folded here: SQLite folds only ASCII, so "Å" and "å" would differ there. The
    guide is a few hundred rows at most."""
    wanted = name.casefold()
    rows = Symbol.objects.exclude(pk=other_than) if other_than is not None else Symbol.objects.all()
    return any(taken.casefold() == wanted for taken in rows.values_list("name", flat=True))


def _clean_texts(*, name: str, environment: str, description: str, what_to_do: str) -> tuple[str, str, str]:
    name, description, what_to_do = name.strip(), description.strip(), what_to_do.strip()
    if not name:
        raise ValidationError(_("Skriv vad symbolen heter."))
    if len(name) > MAX_NAME:
        raise ValidationError(_("Namnet får vara högst %(n)s tecken.") % {"n": MAX_NAME})
    if environment not in Environment.values:
        raise ValidationError(_("Välj miljö i listan."))
    if not description:
        raise ValidationError(_("Beskriv symbolen."))
    if len(description) > MAX_DESCRIPTION or len(what_to_do) > MAX_WHAT_TO_DO:
        raise ValidationError(_("Texten är för lång."))
    for text in (name, description, what_to_do):
        reject_identifying_numbers(text)
    return name, description, what_to_do


def _taken(name: str) -> ValidationError:
    return ValidationError(_("Det finns redan en symbol som heter %(name)s.") % {"name": name}, code="name_taken")


def _free_slug(name: str) -> str:
    base = slugify(name)[:70] or "symbol"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Symbol.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_symbol(*, actor: User, name: str, environment: str, description: str, what_to_do: str = "") -> Symbol:
    """A new entry, active at once. Its address (slug) is made from this first name and never changes."""
    _may_manage(actor)
    name, description, what_to_do = _clean_texts(
        name=name, environment=environment, description=description, what_to_do=what_to_do
    )
    if _name_taken(name, other_than=None):
        raise _taken(name)
    now = timezone.now()
    symbol = Symbol(
        slug=_free_slug(name),
        name=name,
        environment=environment,
        description=description,
        what_to_do=what_to_do,
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():  # a savepoint: two new entries of one name at once meet the constraints
            symbol.save()
    except IntegrityError:
        raise _taken(name) from None
    record(action="symbol_created", actor=actor, obj=symbol, detail=symbol.slug)
    return symbol


def _locked(symbol_id: int, *, actor: User) -> Symbol:
    symbol = Symbol.objects.select_for_update().get(pk=symbol_id)
    _may_manage(actor)
    return symbol


@transaction.atomic
def update_symbol(
    *,
    actor: User,
    symbol_id: int,
    lock_version: int,
    name: str,
    environment: str,
    description: str,
    what_to_do: str = "",
) -> Symbol:
    symbol = _locked(symbol_id, actor=actor)
    if symbol.lock_version != lock_version:
        raise ValidationError(STALE, code="stale")
    name, description, what_to_do = _clean_texts(
        name=name, environment=environment, description=description, what_to_do=what_to_do
    )
    if _name_taken(name, other_than=symbol.pk):
        raise _taken(name)
    symbol.name, symbol.environment, symbol.description, symbol.what_to_do = name, environment, description, what_to_do
    symbol.lock_version += 1
    symbol.updated_at = timezone.now()
    try:
        with transaction.atomic():
            symbol.save()
    except IntegrityError:
        raise _taken(name) from None
    record(action="symbol_changed", actor=actor, obj=symbol, detail=symbol.slug)
    return symbol


@transaction.atomic
def set_symbol_active(*, actor: User, symbol_id: int, lock_version: int, active: bool) -> Symbol:
    """Deactivating takes an entry out of the guide and out of the report form; the incidents that named
    it keep it."""
    symbol = _locked(symbol_id, actor=actor)
    if symbol.lock_version != lock_version:
        raise ValidationError(STALE, code="stale")
    if symbol.is_active == active:
        return symbol
    symbol.is_active = active
    symbol.lock_version += 1
    symbol.updated_at = timezone.now()
    symbol.save(update_fields=["is_active", "lock_version", "updated_at"])
    record(action="symbol_activated" if active else "symbol_deactivated", actor=actor, obj=symbol, detail=symbol.slug)
    return symbol


@uploads.kept_only_if_committed
@transaction.atomic
def add_image(*, actor: User, symbol_id: int, image: uploads.CleanImage, alt_text: str) -> SymbolImage:
    """Store a checked, re-encoded picture (``uploads.sanitise``) as the entry's last image. The entry's
    row is locked, so two uploads at once never exceed MAX_IMAGES or share a position."""
    symbol = _locked(symbol_id, actor=actor)
    alt_text = " ".join(alt_text.split())
    if not alt_text:
        raise ValidationError(_("Beskriv vad bilden visar, för den som inte ser den."), code="alt_text_required")
    if len(alt_text) > MAX_ALT_TEXT:
        raise ValidationError(_("Bildbeskrivningen får vara högst %(n)s tecken.") % {"n": MAX_ALT_TEXT})
    reject_identifying_numbers(alt_text)
    images = SymbolImage.objects.filter(symbol=symbol)
    if images.count() >= MAX_IMAGES:
        raise ValidationError(_("En symbol kan ha högst %(n)s bilder.") % {"n": MAX_IMAGES}, code="too_many")
    name = uploads.new_stored_name(image.kind)
    uploads.write(name, image.data)  # removed again if anything below fails, the COMMIT included
    picture = SymbolImage.objects.create(
        symbol=symbol,
        stored_name=name,
        content_type=image.kind.content_type,
        width=image.width,
        height=image.height,
        alt_text=alt_text,
        position=(images.aggregate(m=Max("position"))["m"] or 0) + 1,
        uploaded_by=actor,
    )
    record(action="symbol_image_added", actor=actor, obj=symbol, detail=f"{symbol.slug} bild {picture.pk}")
    return picture


@transaction.atomic
def remove_image(*, actor: User, symbol_id: int, image_id: int) -> Symbol:
    """The row goes now; the file once that has committed (a rolled-back removal keeps its file)."""
    symbol = _locked(symbol_id, actor=actor)
    image = SymbolImage.objects.filter(pk=image_id, symbol=symbol).first()
    if image is None:  # removed by someone else a moment ago
        raise ValidationError(_("Bilden är redan borttagen."), code="gone")
    image.delete()
    stored_name = image.stored_name
    uploads.PHOTOS.remove_after_commit(stored_name)
    record(action="symbol_image_removed", actor=actor, obj=symbol, detail=f"{symbol.slug} bild {image_id}")
    return symbol
