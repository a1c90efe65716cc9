"""Migration 0003 moves Organisation.social_services_contact into the council's reception ContactRoute,
filling only an empty text, leaving the text the reference data once shipped behind, and can be reversed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("organisations", "0002_partner_contacts_and_contact_routes")
AFTER = ("organisations", "0003_move_reception_text_to_contact_routes")
RECEPTION = "child_welfare_reception"
SHIPPED = (
    "Socialtjänstens mottagning för barn och unga, Bromma stadsdelsförvaltning. Skicka orosanmälan via stadens "
    "e-tjänst för orosanmälan eller ring stadens växel 08-508 000 00 och be att få tala med mottagningen i Bromma. "
    "Vid akut fara: ring 112. Kvällar och helger: socialjouren."
)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    # Forward to the newest migration means every app's: going back unapplied the apps that depend on
    # organisations (collaboration) too, and the next test needs their tables.
    executor.migrate(leaves if target in leaves else [target])
    return executor.loader.project_state([target]).apps


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


@pytest.mark.django_db(transaction=True)
def test_reception_texts_move_to_contact_routes_and_back(reference_data):
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes("organisations")[0]
    old = _migrate(BEFORE)
    try:
        Organisation = old.get_model("organisations", "Organisation")
        ContactRoute = old.get_model("organisations", "ContactRoute")
        routes = ContactRoute.objects.filter(purpose=RECEPTION)
        # Järva: no route yet. Södermalm: a route with an empty text. Kungsholmen: a route with its own
        # text. Bromma: the text the reference data shipped. Farsta: nothing written.
        routes.filter(organisation__slug="jarva").delete()
        routes.filter(organisation__slug="sodermalm").update(description="")
        routes.filter(organisation__slug="kungsholmen").update(description="Ring mottagningen.")
        routes.filter(organisation__slug="bromma").update(description="")
        texts = {
            "jarva": "Mottagningen i Järva nås via e-tjänsten.",
            "sodermalm": "Mottagningen på Södermalm.\nVardagar 8–16.",
            "kungsholmen": "Skriven före kontaktvägarna.",
            "bromma": SHIPPED,
            "farsta": "",
        }
        for slug, text in texts.items():
            Organisation.objects.filter(slug=slug).update(social_services_contact=text)
        before = ContactRoute.objects.count()

        new = _migrate(AFTER)
        assert "social_services_contact" not in _columns("organisations_organisation")
        Route = new.get_model("organisations", "ContactRoute")
        reception = {
            r.organisation.slug: r for r in Route.objects.filter(purpose=RECEPTION).select_related("organisation")
        }
        assert Route.objects.count() == before + 1  # only Järva's route was created
        assert reception["jarva"].description == texts["jarva"]
        assert reception["jarva"].name == "Socialtjänstens mottagning för barn och unga, Järva"
        assert reception["sodermalm"].description == texts["sodermalm"]
        assert reception["kungsholmen"].description == "Ring mottagningen."  # a route's own text wins
        assert reception["bromma"].description == ""  # the shipped text, with its unsourced number, stays behind
        assert "08-508" not in "".join(Route.objects.values_list("description", flat=True))

        old = _migrate(BEFORE)  # backwards: each reception's text in the free-text field again
        Organisation = old.get_model("organisations", "Organisation")
        back = dict(Organisation.objects.values_list("slug", "social_services_contact"))
        assert back["jarva"] == texts["jarva"]
        assert back["sodermalm"] == texts["sodermalm"]
        assert back["kungsholmen"] == "Ring mottagningen."
        assert back["bromma"] == ""
    finally:
        _migrate(leaf)
