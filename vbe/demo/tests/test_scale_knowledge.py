"""Each synthetic city-year's support material and symbol sightings (vbe/demo/scale/knowledge.py): the
year's volumes, found by the search, the same rows grown or built at once, nothing added twice."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from vbe.demo import city, scale
from vbe.demo.scale import knowledge
from vbe.incidents.models import Incident
from vbe.incidents.symbol_models import Symbol
from vbe.knowledge import search
from vbe.knowledge.models import Resource, ResourceVersion

SMALL = scale.Volumes(
    units=6,
    users=40,
    concerns=4,
    incidents=60,
    plans=2,
    measures_per_plan=1,
    log_rows=10,
    resources=60,
    actors=10,
    meetings_per_forum=1,
)


@pytest.fixture
def demo_city(reference_data):
    city.seed()


def _fingerprint() -> dict[str, object]:
    """A year's support rows, independent of ids."""
    scaled = Resource.objects.filter(key__startswith=knowledge.KEY_PREFIX)
    return {
        "resources": sorted(
            scaled.values_list(
                "key", "kind", "title", "owner__slug", "is_active", "version", "next_review_on", "reviewed_on"
            )
        ),
        "versions": sorted(
            ResourceVersion.objects.filter(resource__in=scaled).values_list("resource__key", "number", "body", "note")
        ),
        "areas": sorted(scaled.values_list("key", "focus_areas__number")),
        "sightings": sorted(
            Incident.objects.filter(submission_token__startswith="scale-", symbol__isnull=False).values_list(
                "submission_token", "symbol__slug"
            )
        ),
    }


class _Undo(Exception):
    pass


def test_each_city_year_adds_its_support_material_grown_or_built_at_once(demo_city):
    """Grown from one year to two in a savepoint, rolled back, then built at once: the same rows."""
    try:
        with transaction.atomic():
            scale.generate(scale=1, volumes=SMALL)
            assert scale.generate(scale=2, volumes=SMALL)["resources"] == SMALL.resources
            grown = _fingerprint()
            raise _Undo
    except _Undo:
        pass
    assert not Resource.objects.filter(key__startswith=knowledge.KEY_PREFIX).exists()
    added = scale.generate(scale=2, volumes=SMALL)
    assert _fingerprint() == grown
    assert added["resources"] == 2 * SMALL.resources
    now, today = timezone.now(), timezone.localdate()
    for number in (1, 2):
        year = scale.Year.of(number, now)
        rows = Resource.objects.filter(key__startswith=f"{knowledge.KEY_PREFIX}{number}-")
        assert rows.count() == SMALL.resources
        span = rows.aggregate(first=Min("created_at"), last=Max("created_at"))
        assert year.start <= span["first"] <= span["last"] <= year.end
        # Every resource has its versions 1..version, the newest carrying its text.
        for resource in rows.prefetch_related("versions"):
            numbers = sorted(v.number for v in resource.versions.all())
            assert numbers == list(range(1, resource.version + 1))
            assert max(resource.versions.all(), key=lambda v: v.number).body == resource.body
        assert rows.filter(version__gt=1).exists() and rows.filter(version=1).exists()
        assert rows.filter(is_active=False).count() < SMALL.resources // 4
        active = rows.filter(is_active=True)
        assert active.filter(next_review_on__lt=today).exists() and active.filter(next_review_on__gte=today).exists()
        assert not rows.filter(focus_areas__isnull=True).exists()
        assert Resource.methods.through.objects.filter(resource__in=rows).exists()
        assert Resource.audience_groups.through.objects.filter(resource__in=rows).exists()
        # A share of the year's incidents of the kinds a symbol shows in name one of the same environment.
        named = Incident.objects.filter(submission_token__startswith=f"scale-{number}-", symbol__isnull=False)
        assert 0 < named.count() < SMALL.incidents
        assert not named.exclude(category__in=knowledge.SIGHTING_CATEGORIES).exists()
        assert all(i.environment == i.symbol.environment for i in named.select_related("symbol"))
    # The made-up entries are added once, whatever the number of years.
    assert Symbol.objects.filter(slug__in=[slug for slug, _n, _e in knowledge.SYMBOLS]).count() == len(
        knowledge.SYMBOLS
    )
    # The index knows the active resources and not the archived ones.
    found = {hit.id for hit in search.search("trygghetsvandringar", limit=500).hits}
    topical = Resource.objects.filter(key__startswith=knowledge.KEY_PREFIX, summary__contains="trygghetsvandringar")
    assert found >= set(topical.filter(is_active=True).values_list("pk", flat=True)) != set()
    assert not found & set(topical.filter(is_active=False).values_list("pk", flat=True))
    # A second run adds nothing.
    counts = (
        Resource.objects.count(),
        ResourceVersion.objects.count(),
        Incident.objects.filter(symbol__isnull=False).count(),
    )
    assert scale.generate(scale=2, volumes=SMALL)["years"] == 0
    assert (
        Resource.objects.count(),
        ResourceVersion.objects.count(),
        Incident.objects.filter(symbol__isnull=False).count(),
    ) == counts


def test_the_benchmarks_targets_exist_in_the_city(demo_city):
    scale.generate(scale=1, volumes=SMALL)
    targets = knowledge.bench_targets()
    resource = Resource.objects.get(pk=targets["resource_pk"])
    assert resource.is_active and resource.version == Resource.objects.aggregate(m=Max("version"))["m"]
    assert Symbol.objects.get(slug=targets["symbol_slug"]).incidents.exists()
