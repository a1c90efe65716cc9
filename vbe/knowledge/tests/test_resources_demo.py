"""The demo city's support resources: every kind, some with several versions, one archived, one overdue,
and a second run makes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vbe.knowledge.demo_resources import DEMOS, seed_resources
from vbe.knowledge.models import Kind, Resource

pytestmark = pytest.mark.django_db


def test_the_demo_resources_cover_every_kind_and_state(reference_data):
    assert seed_resources() == len(DEMOS) == 12
    demo = Resource.objects.filter(key__startswith="demo-")
    assert set(demo.values_list("kind", flat=True)) == set(Kind.values)
    assert demo.filter(version__gt=1).count() >= 3
    for resource in demo:
        assert resource.versions.count() == resource.version
        assert resource.versions.get(number=resource.version).body == resource.body
    assert demo.filter(is_active=False).count() == 1
    assert [r.key for r in demo if r.is_overdue()] == ["demo-mall-handlingsplan"]
    assert all(r.next_review_on >= timezone.localdate() for r in demo if r.key != "demo-mall-handlingsplan")
    assert demo.filter(methods__isnull=False).exists() and demo.filter(audience_groups__isnull=False).exists()
    assert all("@" not in r.body or ".example" in r.body for r in demo)


def test_a_second_run_creates_nothing_and_keeps_edits(reference_data):
    seed_resources()
    Resource.objects.filter(key="demo-mall-lagesbild").update(title="Ändrad i demon")
    count = Resource.objects.count()
    assert seed_resources() == 0
    assert Resource.objects.count() == count
    assert Resource.objects.get(key="demo-mall-lagesbild").title == "Ändrad i demon"
