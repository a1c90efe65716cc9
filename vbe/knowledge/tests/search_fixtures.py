"""Resources made straight in the database and indexed, for the search tests (writing them through the
resource services belongs to those services' tests)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from vbe.knowledge import search
from vbe.knowledge.models import Attachment, ExtractionState, Kind, Resource
from vbe.organisations.models import Organisation

_names = itertools.count(1)


def resource(title: str, body: str = "", *, summary: str = "", kind: str = Kind.ARTICLE, **fields) -> Resource:
    fields.setdefault("next_review_on", timezone.localdate() + datetime.timedelta(days=90))
    made = Resource.objects.create(
        title=title, summary=summary, body=body, kind=kind, owner=Organisation.objects.get(slug="ks"), **fields
    )
    search.reindex(made)
    return made


def attach(owner: Resource, filename: str, text: str, extraction: str = ExtractionState.DONE) -> Attachment:
    """An attachment whose text has been read (as the extraction job leaves it), indexed again."""
    content_type = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[filename.rsplit(".", 1)[1]]
    attachment = Attachment.objects.create(
        resource=owner,
        filename=filename,
        stored_name=f"search-test-{next(_names)}",
        content_type=content_type,
        size=len(text),
        text=text,
        extraction=extraction,
    )
    search.reindex(owner)
    return attachment


def ids(results: search.Results) -> list[int]:
    return [hit.id for hit in results.hits]
