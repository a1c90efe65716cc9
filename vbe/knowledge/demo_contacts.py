"""Synthetic contact details for the demo city: its district receptions for orosanmälan, the central
office and the socialjour get made-up e-mail addresses at the reserved domain .example, web forms at
.example and opening hours, so the contacts page shows what a filled-in register looks like.

Phone numbers stay empty: no demo data in the project has a phone number, and a made-up Swedish
number could belong to a real subscriber. The page then shows "uppgift saknas" for them, as it would
for a real register that lacks one.

Idempotent: only empty fields are filled, so a second run changes nothing and a value typed in the
admin site is never overwritten. Without the reference data's routes (``load_reference_data``)
nothing is made.
"""

from __future__ import annotations

from django.db import transaction

from vbe.organisations.models import ContactPurpose, ContactRoute

DEMO_DOMAIN = "vbe.example"
RECEPTION_HOURS = "Vardagar 8.00–16.30"


def _demo_details(route: ContactRoute) -> dict[str, str]:
    slug = route.organisation.slug
    if route.purpose == ContactPurpose.CHILD_WELFARE_RECEPTION:
        return {
            "email": f"mottagningen.{slug}@{DEMO_DOMAIN}",
            "url": f"https://e-tjanst.{DEMO_DOMAIN}/orosanmalan/{slug}/",
            "opening_hours": RECEPTION_HOURS,
        }
    if route.purpose == ContactPurpose.CENTRAL_OFFICE:
        return {"email": f"samordning.vbe@{DEMO_DOMAIN}", "opening_hours": RECEPTION_HOURS}
    return {"email": f"socialjouren@{DEMO_DOMAIN}", "opening_hours": "Vardagar 16.30–8.00, helger dygnet runt"}


@transaction.atomic
def seed_contacts() -> int:
    """Fills the empty details of every contact route with the demo's; returns the number of routes
    changed."""
    changed = 0
    for route in ContactRoute.objects.select_related("organisation").order_by("pk"):
        blank = {f: v for f, v in _demo_details(route).items() if not getattr(route, f)}
        if blank:
            for f, v in blank.items():
                setattr(route, f, v)
            route.save(update_fields=list(blank))
            changed += 1
    return changed
