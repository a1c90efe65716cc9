"""/stod/samverkanspartner/: the partners outside the city, grouped by kind with their parts nested,
and a page for each; read by everyone signed in, edited only in the admin site."""

from __future__ import annotations

import re

import pytest

from vbe.knowledge.contacts import partner_groups
from vbe.organisations.models import Partner, PartnerKind

LIST = "/stod/samverkanspartner/"


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _page(pk: int) -> str:
    return f"/stod/samverkanspartner/{pk}/"


def test_the_list_groups_partners_by_kind_with_the_police_areas_under_the_police(cast):
    response = cast.client("staff").get(LIST)

    assert response.status_code == 200
    html = _text(response)
    for name in (
        "Polisregion Stockholm",
        "Säkerhetspolisen",
        "Center mot våldsbejakande extremism (CVE) vid Brå",
        "Region Stockholm",
        "Kriminalvården och frivården",
    ):
        assert name in html
    # Kinds in their declared order: the police before the security service before the agencies.
    assert html.index('id="typ-police"') < html.index('id="typ-security_service"') < html.index('id="typ-agency"')
    police = html[html.index('id="typ-police"') : html.index('id="typ-security_service"')]
    region = police.index("Polisregion Stockholm")
    assert region < police.index("Lokalpolisområde Rinkeby") and region < police.index("Redex (Reduktion av extremism)")
    assert "<h4" in police  # a part is a heading level below its parent
    assert "Akut: ring 112." in html
    assert "uppgift saknas" in html  # no phone numbers in the reference data


def test_the_tree_nests_parts_and_shows_every_active_partner_once(reference_data):
    groups = {g.kind: g for g in partner_groups()}
    police = groups[PartnerKind.POLICE].nodes
    assert [n.partner.name for n in police] == ["Polisregion Stockholm"]
    assert {p.partner.name for p in police[0].parts} >= {"Lokalpolisområde Rinkeby", "Redex (Reduktion av extremism)"}
    assert "Lokalpolisområde Rinkeby" not in [n.partner.name for g in groups.values() for n in g.nodes]


def test_an_inactive_partner_is_gone_and_its_parts_stand_on_their_own(cast):
    region = Partner.objects.get(name="Polisregion Stockholm")
    region.is_active = False
    region.save()

    html = _text(cast.client("staff").get(LIST))

    assert "Polisregion Stockholm" not in html
    assert "Lokalpolisområde Rinkeby" in html
    assert cast.client("staff").get(_page(region.pk)).status_code == 404


def test_a_loop_of_parents_typed_in_the_admin_site_shows_each_partner_once(reference_data):
    a = Partner.objects.create(name="Aktör A", kind=PartnerKind.OTHER)
    b = Partner.objects.create(name="Aktör B", kind=PartnerKind.OTHER, parent=a)
    Partner.objects.filter(pk=a.pk).update(parent=b)

    names = []

    def walk(nodes):
        for node in nodes:
            names.append(node.partner.name)
            walk(node.parts)

    for group in partner_groups():
        walk(group.nodes)
    assert names.count("Aktör A") == 1 and names.count("Aktör B") == 1
    assert len(names) == Partner.objects.filter(is_active=True).count()


def test_a_partners_page_says_what_it_does_and_how_to_reach_it(cast):
    sapo = Partner.objects.get(name="Säkerhetspolisen")
    response = cast.client("coordinator").get(_page(sapo.pk))

    assert response.status_code == 200
    html = _text(response)
    assert "Vad aktören gör i arbetet" in html and sapo.role[:40] in html
    assert sapo.when_to_contact[:40] in html
    assert f'href="{sapo.website}"' in html
    assert html.count("uppgift saknas") == 2  # phone and e-mail


def test_a_part_links_to_its_parent_and_the_parent_lists_its_parts(cast):
    rinkeby = Partner.objects.get(name="Lokalpolisområde Rinkeby")
    html = _text(cast.client("staff").get(_page(rinkeby.pk)))
    assert f'href="{_page(rinkeby.parent_id)}"' in html

    html = _text(cast.client("staff").get(_page(rinkeby.parent_id)))
    assert f'href="{_page(rinkeby.pk)}"' in html


def test_filled_details_show_and_empty_ones_say_uppgift_saknas(cast):
    cve = Partner.objects.get(name__startswith="Center mot våldsbejakande extremism")
    cve.phone, cve.email, cve.website = "000-111 22 33", "kontakt@cve.example", "https://cve.example/"
    cve.role = ""
    cve.save()

    html = _text(cast.client("staff").get(_page(cve.pk)))

    assert 'href="tel:0001112233"' in html and 'href="mailto:kontakt@cve.example"' in html
    assert 'href="https://cve.example/"' in html
    assert "Uppgift saknas." in html  # the emptied role


def test_unknown_ids_are_404(cast):
    client = cast.client("staff")
    assert client.get(_page(999999)).status_code == 404
    assert client.get("/stod/samverkanspartner/1234567890123456789/").status_code == 404


@pytest.mark.parametrize(
    ("role", "link", "note"),
    [
        ("admin", True, False),
        ("central_coordinator", False, True),
        ("coordinator", False, False),
        ("staff", False, False),
    ],
)
def test_editing_is_pointed_to_only_for_those_who_keep_the_register(cast, role, link, note):
    partner = Partner.objects.get(name="Region Stockholm")
    client = cast.client(role)
    listing = _text(client.get(LIST))
    page = _text(client.get(_page(partner.pk)))
    assert ('href="/admin/organisations/partner/"' in listing) is link
    assert (f'href="/admin/organisations/partner/{partner.pk}/change/"' in page) is link
    assert ("ändras av systemadministratören" in listing) is note
    assert ("ändras av systemadministratören" in page) is note


def test_anonymous_is_sent_to_sign_in_and_writes_are_refused(cast):
    partner = Partner.objects.first()
    for path in (LIST, _page(partner.pk)):
        response = cast.client(None).get(path)
        assert response.status_code == 302 and "/logga-in/" in response["Location"]
        assert cast.client("admin").post(path).status_code == 405
    assert Partner.objects.get(pk=partner.pk).name == partner.name
