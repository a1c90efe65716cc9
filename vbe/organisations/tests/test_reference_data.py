from __future__ import annotations

from django.core.management import call_command

from vbe.guidelines.models import FocusArea, Method, ReportingDuty
from vbe.organisations.models import District, Neighbourhood, Organisation, OrganisationKind, Partner

REQUIRED = {
    "socialnamnden",
    "utbildningsnamnden",
    "arbetsmarknadsnamnden",
    "kulturnamnden",
    "idrottsnamnden",
    "familjebostader",
    "stockholmshem",
    "svenska-bostader",
    "shis",
    "sisab",
}


def test_stockholm_geography(db):
    assert District.objects.count() == 11
    assert Neighbourhood.objects.count() == 117
    assert set(District.objects.values_list("code", flat=True)) == {
        "80104",
        "80106",
        "80108",
        "80115",
        "80118",
        "80124",
        "80127",
        "80128",
        "80129",
        "80131",
        "80132",
    }
    assert Neighbourhood.objects.get(name="Rinkeby").district.name == "Järva"
    assert Neighbourhood.objects.get(name="Stora Essingen").district.name == "Kungsholmen"
    assert not Neighbourhood.objects.filter(geometry__isnull=True).exists()
    assert District.objects.get(code="80132").geometry["type"] in {"Polygon", "MultiPolygon"}


def test_stockholm_organisations(db):
    councils = Organisation.objects.filter(kind=OrganisationKind.DISTRICT_COUNCIL)
    assert councils.count() == 11
    assert not councils.filter(district__isnull=True).exists()
    required = set(Organisation.objects.filter(requires_coordinator=True).values_list("slug", flat=True))
    assert required == REQUIRED | set(councils.values_list("slug", flat=True))
    assert not Organisation.objects.get(slug="forskolenamnden").requires_coordinator
    assert Organisation.objects.get(slug="ks").parent.slug == "kf"
    assert Partner.objects.get(name="Lokalpolisområde Rinkeby").parent.name == "Polisregion Stockholm"


def test_guideline_structure(db):
    assert list(FocusArea.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    support_to_leave = FocusArea.objects.get(number=6)
    assert set(support_to_leave.responsible.values_list("kind", flat=True)) == {"district_council", "specialist_board"}
    assert support_to_leave.responsible.count() == 12  # socialnämnden and the 11 district councils
    knowledge = FocusArea.objects.get(number=4)
    assert {"shis", "sisab", "ks", "forskolenamnden"} <= set(knowledge.responsible.values_list("slug", flat=True))
    assert Method.objects.filter(focus_area=knowledge, name__startswith="CVE").count() == 2
    assert ReportingDuty.objects.count() == 5


def test_loading_twice_changes_nothing_and_keeps_admin_edits(db):
    Organisation.objects.filter(slug="kulturnamnden").update(name="Kultur- och biblioteksnämnden")
    before = {
        m.__name__: m.objects.count() for m in (District, Neighbourhood, Organisation, Partner, FocusArea, Method)
    }
    call_command("load_reference_data", verbosity=0)
    after = {m.__name__: m.objects.count() for m in (District, Neighbourhood, Organisation, Partner, FocusArea, Method)}
    assert before == after
    assert Organisation.objects.get(slug="kulturnamnden").name == "Kultur- och biblioteksnämnden"
