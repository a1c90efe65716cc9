"""The reception for orosanmälan lives in one place: the district council's ContactRoute. Organisation's
free-text social_services_contact is moved there and removed.

A text moves only into a route whose text is empty, so a route an administrator has already written is
never overwritten. The text the reference data once shipped is not moved: contacts.json now describes
each reception, and the shipped text named a switchboard number that has no source in this project.
"""

import re

from django.db import migrations

RECEPTION = "child_welfare_reception"
# The text organisations.json shipped for every district council; anything else an administrator wrote.
SHIPPED_TEXT = re.compile(
    r"Socialtjänstens mottagning för barn och unga, [^.]+ stadsdelsförvaltning\. "
    r"Skicka orosanmälan via stadens e-tjänst för orosanmälan eller ring stadens växel 08-508 000 00 "
    r"och be att få tala med mottagningen i [^.]+\. Vid akut fara: ring 112\. Kvällar och helger: socialjouren\."
)


def move_text_to_routes(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    ContactRoute = apps.get_model("organisations", "ContactRoute")
    for organisation in Organisation.objects.exclude(social_services_contact="").order_by("pk"):
        text = organisation.social_services_contact.strip()
        if not text or SHIPPED_TEXT.fullmatch(text):
            continue
        route, created = ContactRoute.objects.get_or_create(
            organisation=organisation,
            purpose=RECEPTION,
            defaults={
                "name": f"Socialtjänstens mottagning för barn och unga, {organisation.short_name or organisation.name}"[
                    :200
                ],
                "description": text,
            },
        )
        if not created and not route.description:
            route.description = text
            route.save(update_fields=["description"])


def move_text_back(apps, schema_editor):
    """Back to the free-text field: each reception's text, as the route holds it now."""
    Organisation = apps.get_model("organisations", "Organisation")
    ContactRoute = apps.get_model("organisations", "ContactRoute")
    for route in ContactRoute.objects.filter(purpose=RECEPTION).exclude(description="").order_by("pk"):
        Organisation.objects.filter(pk=route.organisation_id).update(social_services_contact=route.description)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_partner_contacts_and_contact_routes"),
    ]

    operations = [
        migrations.RunPython(move_text_to_routes, move_text_back),
        migrations.RemoveField(
            model_name="organisation",
            name="social_services_contact",
        ),
    ]
