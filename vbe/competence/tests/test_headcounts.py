"""Headcounts typed by hand: only changed cells are written, a cell changed by someone else since the
page was shown refuses the save, a unit manager keeps only their own units, and the grid page keeps
to the query bound however many units the organisation has."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vbe.audit.models import AccessLogEntry
from vbe.competence import headcounts
from vbe.competence.headcounts import Shown
from vbe.competence.models import Headcount, StaffGroup
from vbe.organisations.models import Organisation, Unit, UnitKind

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
LIMIT = 20
WRITE_LIMIT = 35


@pytest.fixture
def jarva(cast) -> Organisation:
    return Organisation.objects.get(slug="jarva")


@pytest.fixture
def units(jarva) -> tuple[Unit, Unit]:
    """The unit manager's youth centre and a library they do not manage."""
    own = Unit.objects.get(organisation=jarva, name="Testfritidsgården")
    other = Unit.objects.create(organisation=jarva, name="Testbiblioteket", kind=UnitKind.LIBRARY)
    return own, other


def _group(slug: str) -> StaffGroup:
    return StaffGroup.objects.get(slug=slug)


def _shown(*rows: Headcount) -> dict:
    return {(h.unit_id, h.staff_group_id): Shown(h.lock_version, h.count) for h in rows}


def _save(actor, jarva, entered, shown=None):
    return headcounts.save_headcounts(
        actor=actor, organisation_id=jarva.pk, year=YEAR, entered=entered, shown=shown or {}
    )


# --- The service -------------------------------------------------------------------------------------


def test_new_figures_are_written_and_logged_once(cast, jarva, units):
    own, other = units
    leisure, library = _group("fritid"), _group("bibliotek")
    entered = {(own.pk, leisure.pk): 12, (other.pk, library.pk): 4, (other.pk, leisure.pk): None}
    assert _save(cast["coordinator"], jarva, entered) == 2
    assert {(h.unit_id, h.staff_group_id, h.count, h.lock_version) for h in Headcount.objects.filter(year=YEAR)} == {
        (own.pk, leisure.pk, 12, 0),
        (other.pk, library.pk, 4, 0),
    }
    [entry] = AccessLogEntry.objects.filter(action="headcounts_changed")
    assert entry.object_id == str(jarva.pk)
    assert entry.detail == f"{YEAR}: 2 nya, 0 ändrade, 0 borttagna"


def test_only_changed_cells_are_written(cast, jarva, units):
    own, other = units
    leisure, library = _group("fritid"), _group("bibliotek")
    a = Headcount.objects.create(unit=own, staff_group=leisure, year=YEAR, count=10)
    b = Headcount.objects.create(unit=other, staff_group=library, year=YEAR, count=3)
    shown = _shown(a, b)
    changed = _save(cast["coordinator"], jarva, {(own.pk, leisure.pk): 11, (other.pk, library.pk): 3}, shown)
    assert changed == 1
    a.refresh_from_db()
    b_after = Headcount.objects.get(pk=b.pk)
    assert (a.count, a.lock_version, a.updated_by_id) == (11, 1, cast["coordinator"].pk)
    assert (b_after.count, b_after.lock_version, b_after.updated_at) == (3, 0, b.updated_at)


def test_nothing_changed_writes_and_logs_nothing(cast, jarva, units):
    own, _other = units
    a = Headcount.objects.create(unit=own, staff_group=_group("fritid"), year=YEAR, count=10)
    assert _save(cast["coordinator"], jarva, {(own.pk, a.staff_group_id): 10}, _shown(a)) == 0
    assert not AccessLogEntry.objects.filter(action="headcounts_changed").exists()


def test_an_emptied_cell_removes_the_figure(cast, jarva, units):
    own, _other = units
    a = Headcount.objects.create(unit=own, staff_group=_group("fritid"), year=YEAR, count=10)
    assert _save(cast["coordinator"], jarva, {(own.pk, a.staff_group_id): None}, _shown(a)) == 1
    assert not Headcount.objects.filter(pk=a.pk).exists()


def test_an_edited_cell_changed_since_the_page_was_shown_refuses_the_whole_save(cast, jarva, units):
    own, other = units
    leisure, library = _group("fritid"), _group("bibliotek")
    a = Headcount.objects.create(unit=own, staff_group=leisure, year=YEAR, count=10)
    shown = _shown(a)
    _save(cast["unit_manager"], jarva, {(own.pk, leisure.pk): 9}, shown)  # someone else, first
    with pytest.raises(ValidationError) as refused:
        _save(cast["coordinator"], jarva, {(own.pk, leisure.pk): 20, (other.pk, library.pk): 5}, shown)
    assert "ändrats av någon annan" in refused.value.messages[0] and "Ladda om sidan" in refused.value.messages[0]
    assert Headcount.objects.get(pk=a.pk).count == 9
    assert not Headcount.objects.filter(unit=other).exists()  # nothing half-saved


def test_a_cell_filled_by_someone_else_since_the_page_was_shown_is_refused(cast, jarva, units):
    own, _other = units
    leisure = _group("fritid")
    _save(cast["unit_manager"], jarva, {(own.pk, leisure.pk): 7})  # the grid showed it empty to both
    with pytest.raises(ValidationError, match="ändrats av någon annan"):
        _save(cast["coordinator"], jarva, {(own.pk, leisure.pk): 8})
    assert Headcount.objects.get(unit=own, staff_group=leisure, year=YEAR).count == 7


def test_a_cell_changed_by_someone_else_but_left_alone_is_kept(cast, jarva, units):
    own, other = units
    leisure, library = _group("fritid"), _group("bibliotek")
    a = Headcount.objects.create(unit=own, staff_group=leisure, year=YEAR, count=10)
    b = Headcount.objects.create(unit=other, staff_group=library, year=YEAR, count=3)
    shown = _shown(a, b)
    _save(cast["unit_manager"], jarva, {(own.pk, leisure.pk): 12}, shown)
    # The coordinator's page still shows 10 there; they change only the library's figure.
    assert _save(cast["coordinator"], jarva, {(own.pk, leisure.pk): 10, (other.pk, library.pk): 4}, shown) == 1
    assert Headcount.objects.get(pk=a.pk).count == 12
    assert Headcount.objects.get(pk=b.pk).count == 4


def test_a_unit_manager_keeps_only_their_own_units(cast, jarva, units):
    own, other = units
    library = _group("bibliotek")
    with pytest.raises(PermissionDenied):
        _save(cast["unit_manager"], jarva, {(other.pk, library.pk): 5})
    assert _save(cast["unit_manager"], jarva, {(own.pk, library.pk): 1}) == 1


def test_units_of_another_organisation_and_outsiders_are_refused(cast, jarva, units):
    sodermalm_unit = Unit.objects.create(
        organisation=Organisation.objects.get(slug="sodermalm"), name="Södra biblioteket", kind=UnitKind.LIBRARY
    )
    with pytest.raises(PermissionDenied):
        _save(cast["coordinator"], jarva, {(sodermalm_unit.pk, _group("bibliotek").pk): 5})
    with pytest.raises(PermissionDenied):
        _save(cast["coordinator_other"], jarva, {(units[0].pk, _group("bibliotek").pk): 5})
    assert not Headcount.objects.exists()


def test_an_inactive_group_or_a_bad_number_is_refused(cast, jarva, units):
    own, _other = units
    library = _group("bibliotek")
    StaffGroup.objects.filter(pk=library.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="inte längre aktiv"):
        _save(cast["coordinator"], jarva, {(own.pk, library.pk): 5})
    with pytest.raises(ValidationError, match="mellan 0 och 100000"):
        _save(cast["coordinator"], jarva, {(own.pk, _group("fritid").pk): -1})


def test_the_shown_cells_round_trip():
    rows = [
        Headcount(unit_id=3, staff_group_id=4, lock_version=2, count=17),
        Headcount(unit_id=5, staff_group_id=1, lock_version=0, count=0),
    ]
    assert headcounts.decode_shown(headcounts.encode_shown(rows)) == {(3, 4): Shown(2, 17), (5, 1): Shown(0, 0)}
    for bad in ("1.2.3", "a.b.c.d", "1.2.-1.4"):
        with pytest.raises(ValueError):
            headcounts.decode_shown(bad)


# --- The page ----------------------------------------------------------------------------------------


def _url(organisation: str = "jarva", year: int = YEAR) -> str:
    return f"/utbildning/{organisation}/anstallda/{year}/"


def test_the_unit_manager_sees_only_their_units(cast, units):
    own, other = units
    page = cast.client("unit_manager").get(_url())
    assert page.status_code == 200
    assert [unit for unit, _cells in page.context["form"].grid()] == [own]
    text = page.content.decode()
    assert "Testbiblioteket" not in text
    assert "Du ser de verksamheter där du är chef." in text
    import_page = reverse("competence:import_start", args=["jarva"])
    assert f'href="{import_page}">Importera antal anställda från en fil från HR</a>' in text


def test_the_coordinator_saves_the_grid(cast, units):
    own, other = units
    client = cast.client("coordinator")
    page = client.get(_url())
    form = page.context["form"]
    assert set(page.context["page"].object_list) >= {own, other}
    leisure, library = _group("fritid"), _group("bibliotek")
    data = {"shown": form["shown"].value(), f"c_{own.pk}_{leisure.pk}": "14", f"c_{other.pk}_{library.pk}": " 3 "}
    response = client.post(_url(), data)
    assert response.status_code == 302 and response["Location"] == _url()
    assert dict(Headcount.objects.filter(year=YEAR).values_list("unit_id", "count")) == {own.pk: 14, other.pk: 3}
    again = client.get(_url())
    assert again.context["form"][f"c_{own.pk}_{leisure.pk}"].value() == 14


def test_a_bad_number_shows_the_grid_again_with_the_error(cast, units):
    own, _other = units
    leisure = _group("fritid")
    client = cast.client("coordinator")
    shown = client.get(_url()).context["form"]["shown"].value()
    page = client.post(_url(), {"shown": shown, f"c_{own.pk}_{leisure.pk}": "tolv"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Det finns ett problem" in text
    assert f'href="#id_c_{own.pk}_{leisure.pk}"' in text
    assert "Skriv antalet för Fritidsverksamhet på Testfritidsgården som ett heltal." in text
    assert 'value="tolv"' in text
    assert not Headcount.objects.exists()


def test_a_stale_grid_is_refused_on_the_page(cast, units):
    own, _other = units
    leisure = _group("fritid")
    client = cast.client("coordinator")
    shown = client.get(_url()).context["form"]["shown"].value()
    _save(cast["unit_manager"], Organisation.objects.get(slug="jarva"), {(own.pk, leisure.pk): 7})
    page = client.post(_url(), {"shown": shown, f"c_{own.pk}_{leisure.pk}": "8"})
    assert page.status_code == 400
    assert "ändrats av någon annan" in page.content.decode()
    assert Headcount.objects.get().count == 7


def test_years_out_of_range_and_unknown_organisations_are_404(cast):
    client = cast.client("central_coordinator")
    assert client.get(_url(year=1999)).status_code == 404
    assert client.get(_url(year=YEAR + 2)).status_code == 404
    assert client.get(_url(organisation="finns-inte")).status_code == 404


def _count(client, url: str) -> int:
    client.get(url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_grid_keeps_to_the_query_bound_with_200_units_and_9_groups(cast, jarva):
    groups = list(StaffGroup.objects.filter(is_active=True))
    assert len(groups) == 9
    client = cast.client("coordinator")
    few = _count(client, _url())
    made = Unit.objects.bulk_create(
        Unit(organisation=jarva, name=f"Enhet {i:03}", kind=UnitKind.SCHOOL) for i in range(200)
    )
    Headcount.objects.bulk_create(
        Headcount(unit=unit, staff_group=group, year=YEAR, count=i % 30)
        for i, unit in enumerate(made)
        for group in groups
    )
    many = _count(client, _url())
    assert many == few <= LIMIT
    page = client.get(_url())
    # As many units a page as keep a save under Django's 1,000 posted fields.
    assert len(page.context["page"].object_list) == 100
    assert len(page.context["form"].fields) == 100 * 9 + 1
    assert _count(client, _url() + "?sida=3") <= LIMIT


def test_saving_a_full_page_keeps_to_the_query_bound(cast, jarva):
    groups = list(StaffGroup.objects.filter(is_active=True))
    made = Unit.objects.bulk_create(
        Unit(organisation=jarva, name=f"Enhet {i:03}", kind=UnitKind.SCHOOL) for i in range(120)
    )
    Headcount.objects.bulk_create(
        Headcount(unit=unit, staff_group=group, year=YEAR, count=1) for unit in made[:50] for group in groups
    )
    client = cast.client("coordinator")
    form = client.get(_url()).context["form"]
    data = {"shown": form["shown"].value()}
    for _unit, cells in form.grid():
        for cell in cells:
            data[cell.html_name] = "2"  # every cell changed: 50 units updated, the rest created
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_url(), data)
    assert response.status_code == 302
    # The writes go in bulk: a few statements for the page's 900 cells (more on SQLite, whose limit of
    # parameters splits them into batches), never one per cell, and never more for a larger organisation.
    assert len(queries) <= WRITE_LIMIT
    assert Headcount.objects.filter(year=YEAR, count=2).count() == 100 * 9
