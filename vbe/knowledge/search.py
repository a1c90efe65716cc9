"""Search over support resources: the one module other code calls.

Each database has its own index (search_postgres.py: the ``swedish`` configuration, a weighted
tsvector, GIN, ts_rank; search_sqlite.py: FTS5 over Snowball stems, bm25), made by migration 0002 and
kept by ``reindex``, which every write of a resource or its attachments calls inside its own
transaction. Both rank a title hit above a summary hit above a body hit, keep å, ä and ö apart from
a and o, and read the query the same way (search_query.py), so the same words find the same
resources on both.

Pages are cut by keyset, never OFFSET: a search page by (rank, id) of its last hit, the list without
a query by (title, id). The cursor (``efter``) is that position as text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import ModuleType

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from vbe.competence.models import StaffGroup
from vbe.guidelines.models import FocusArea, Method
from vbe.knowledge import search_postgres, search_query, search_snippets, search_sqlite, stemming, suggestions
from vbe.knowledge.models import Attachment, ExtractionState, Kind, Resource

# The body and the attachments' text are indexed up to this many characters together: PostgreSQL
# refuses a tsvector over 1 MB, and a passage that far into a file is not what anyone looks for.
MAX_INDEXED_CHARS = 300_000
# The page says how many hits there are up to this many, and "more than" beyond: nothing is counted
# further.
COUNT_CAP = 100
# The largest id a cursor may name: both databases keep ids as 64-bit integers, and a larger number
# cannot even be sent to SQLite.
MAX_ID = 2**63 - 1


class InvalidCursor(ValueError):
    """The page position (``efter``) is not one this search made."""


@dataclass(frozen=True)
class Hit:
    id: int
    title: str
    kind: str
    snippet: SafeString
    next_review_on: datetime.date
    is_overdue: bool

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    next_after: str | None  # the cursor of the next page, if there is one
    count: int | None  # on a first page: the number of hits, at most COUNT_CAP + 1
    ranked: bool  # hits of a query (else: every resource by title)

    @property
    def more_than_cap(self) -> bool:
        return self.count is not None and self.count > COUNT_CAP


def _backend() -> ModuleType:
    return search_postgres if connection.vendor == "postgresql" else search_sqlite


# --- Keeping the index ---------------------------------------------------------------------------------


def reindex(resource: Resource) -> None:
    """Bring the resource's entry in the search index up to date (call inside the writing transaction).

    Reads its title, summary, body and the text of its attachments whose extraction is done; an
    inactive resource is taken out of the index."""
    if resource.pk is None:
        return
    if not resource.is_active:
        _backend().delete(resource.pk)
        return
    texts = Attachment.objects.filter(resource_id=resource.pk, extraction=ExtractionState.DONE).order_by("id")
    _write(resource, list(texts.values_list("text", flat=True)))


def _write(resource: Resource, attachment_texts: list[str]) -> None:
    body = "\n".join([resource.body, *attachment_texts])[:MAX_INDEXED_CHARS]
    _backend().write(resource.pk, title=resource.title, summary=resource.summary, body=body)
    suggestions.add_words(stemming.words(f"{resource.title} {resource.summary} {body}"))


def rebuild(batch: int = 200) -> int:
    """Index every active resource afresh (``manage.py reindex_resources``); the number indexed."""
    _backend().clear()
    suggestions.clear()
    count = 0
    resources = Resource.objects.filter(is_active=True).order_by("pk")
    last = 0
    while chunk := list(resources.filter(pk__gt=last)[:batch]):
        texts: dict[int, list[str]] = {}
        attachments = Attachment.objects.filter(resource__in=chunk, extraction=ExtractionState.DONE).order_by("id")
        for resource_id, text in attachments.values_list("resource_id", "text"):
            texts.setdefault(resource_id, []).append(text)
        for resource in chunk:
            _write(resource, texts.get(resource.pk, []))
        count += len(chunk)
        last = chunk[-1].pk
    return count


# --- Reading it ------------------------------------------------------------------------------------------


def _filtered(
    *,
    kind: str | None,
    focus_area: FocusArea | None,
    method: Method | None,
    staff_group: StaffGroup | None,
    include_archived: bool,
) -> QuerySet[Resource]:
    resources = Resource.objects.all() if include_archived else Resource.objects.filter(is_active=True)
    if kind:
        resources = resources.filter(kind=kind)
    if focus_area is not None:
        areas = Resource.focus_areas.through.objects.filter(resource_id=OuterRef("pk"), focusarea_id=focus_area.pk)
        resources = resources.filter(Exists(areas))
    if method is not None:
        methods = Resource.methods.through.objects.filter(resource_id=OuterRef("pk"), method_id=method.pk)
        resources = resources.filter(Exists(methods))
    if staff_group is not None:
        # A resource for no group in particular is for every group, so it stays in the list.
        groups = Resource.audience_groups.through.objects.filter(resource_id=OuterRef("pk"))
        resources = resources.filter(Exists(groups.filter(staffgroup_id=staff_group.pk)) | ~Exists(groups))
    return resources


def search(
    query: str,
    *,
    kind: str | None = None,
    focus_area: FocusArea | None = None,
    method: Method | None = None,
    staff_group: StaffGroup | None = None,
    include_archived: bool = False,
    after: str | None = None,
    limit: int = 25,
) -> Results:
    """The resources that match the query, best first, or with no words in the query every resource
    by title; ``after`` is the previous page's ``next_after``. Archived resources are not in the
    index, so ``include_archived`` adds them only to the list by title. Never fails on what the query
    says; raises InvalidCursor for a position it did not make."""
    resources = _filtered(
        kind=kind, focus_area=focus_area, method=method, staff_group=staff_group, include_archived=include_archived
    )
    if not (query or "").strip():
        return _browse(resources, after=after, limit=limit)
    parsed = search_query.parse(query)
    if parsed.is_empty:  # no word to look for (only stopwords, signs, or words that must not occur)
        return Results([], None, 0 if after is None else None, ranked=True)
    position = _ranked_position(after) if after else None
    within = _within(resources)
    backend = _backend()
    found = backend.ranked(parsed, within=within, after=position, limit=limit + 1)
    count = backend.count_upto(parsed, within=within, cap=COUNT_CAP + 1) if after is None else None
    page = found[:limit]
    rows = {r.pk: r for r in Resource.objects.filter(pk__in=[pk for pk, _ in page])}
    hits = _hits([rows[pk] for pk, _ in page if pk in rows], parsed.stems())
    next_after = f"{page[-1][1]!r}_{page[-1][0]}" if len(found) > limit else None
    return Results(hits, next_after, count, ranked=True)


def _within(resources: QuerySet[Resource]) -> tuple[str, tuple]:
    """The filtered resources' ids as SQL with its values, for the index's ``id IN (…)``; unordered,
    so no database sorts what it only tests membership of."""
    return resources.order_by().values("id").query.sql_with_params()


def _position_id(text: str, after: str) -> int:
    """The id in a cursor: ASCII digits for a key both databases hold (a bigint), else InvalidCursor."""
    if not (text.isascii() and text.isdigit()):
        raise InvalidCursor(after)
    pk = int(text)
    if not 1 <= pk <= MAX_ID:
        raise InvalidCursor(after)
    return pk


def _ranked_position(after: str) -> tuple[float, int]:
    rank_text, _, id_text = after.partition("_")
    try:
        rank = float(rank_text)
    except ValueError as exc:
        raise InvalidCursor(after) from exc
    # A rank the database's rank type cannot hold would fail the query (and, on PostgreSQL, the
    # transaction) instead of finding the page; no search made such a cursor.
    if not _backend().holds_rank(rank):
        raise InvalidCursor(after)
    return rank, _position_id(id_text, after)


def _browse(resources: QuerySet[Resource], *, after: str | None, limit: int) -> Results:
    ordered = resources.order_by("title", "id")
    count = None
    if after:
        pk = _position_id(after, after)
        # Looked up among the resources this list shows: an archived or filtered-out id is no position
        # of it, and answering as if it were would tell where that resource's title sorts.
        title = resources.filter(pk=pk).values_list("title", flat=True).first()
        if title is None:
            raise InvalidCursor(after)
        ordered = ordered.filter(Q(title__gt=title) | Q(title=title, pk__gt=pk))
    else:
        count = ordered[: COUNT_CAP + 1].count()
    found = list(ordered[: limit + 1])
    page = found[:limit]
    next_after = str(page[-1].pk) if len(found) > limit else None
    return Results(_hits(page, set()), next_after, count, ranked=False)


def _hits(resources: list[Resource], stems: set[str]) -> list[Hit]:
    """The hits of a page, with their passages: the attachments are read only for the hits whose
    title, summary and body show none of the words."""
    today = timezone.localdate()
    passages = {r.pk: search_snippets.snippet([r.summary, r.body], stems) for r in resources}
    unmarked = [pk for pk, text in passages.items() if stems and "<mark>" not in text]
    if unmarked:
        texts: dict[int, list[str]] = {}
        attachments = Attachment.objects.filter(resource_id__in=unmarked, extraction=ExtractionState.DONE)
        for resource_id, text in attachments.order_by("id").values_list("resource_id", "text"):
            texts.setdefault(resource_id, []).append(text)
        by_id = {r.pk: r for r in resources}
        for pk, found in texts.items():
            passage = search_snippets.snippet(found, stems)
            # A passage of the attachment where it shows the words, or where the resource has no text.
            if "<mark>" in passage or not (by_id[pk].summary or by_id[pk].body):
                passages[pk] = passage
    return [Hit(r.pk, r.title, r.kind, passages[r.pk], r.next_review_on, r.is_overdue(today)) for r in resources]


def suggest(query: str) -> str | None:
    """A corrected query ("Menade du …?") when a word of it is not in the index and a near word is,
    and only if the corrected query finds something.

    The list of known words keeps words of archived resources and old texts, so each replacement must
    find an active resource on its own: the whole query finding something is not enough, since an OR
    with a word that does would let any stale word through."""
    parsed = search_query.parse(query or "")
    if parsed.is_empty:
        return None
    backend = _backend()
    everything = _within(_filtered(kind=None, focus_area=None, method=None, staff_group=None, include_archived=False))

    def finds(words: search_query.Query) -> bool:
        return not words.is_empty and bool(backend.ranked(words, within=everything, after=None, limit=1))

    corrected = suggestions.correction(parsed, finds=lambda word: finds(search_query.parse(word)))
    if corrected is None or not finds(corrected):
        return None
    return corrected.websearch()
