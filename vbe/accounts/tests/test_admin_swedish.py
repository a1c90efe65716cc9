"""The admin site speaks Swedish (issue 10, item 9): its headings, the apps' names and the models' names,
for both roles that reach it, and the field labels on the pages where English was left."""

from __future__ import annotations

import re

import pytest

from vbe.accounts.admin_site import admin_site

# The apps' code names as Django would show them without a verbose_name, and English leftovers seen
# before: none of them may appear as text on the admin pages.
ENGLISH = ("Accounts", "Concerns", "Guidelines", "Organisations", "Reports", "Plans", "Incidents", "Guideline")


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


@pytest.mark.parametrize("role", ["admin", "central_coordinator"])
def test_the_admin_index_names_apps_and_models_in_swedish(cast, role):
    response = cast.client(role).get("/admin/")
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "VBE-portalen – administration" in text and "Register och behörigheter" in text
    assert not _words(text) & set(ENGLISH), _words(text) & set(ENGLISH)
    # Every app and model the role is shown has a Swedish name of its own, not Django's default.
    app_list = admin_site.get_app_list(response.wsgi_request)
    assert app_list
    for app in app_list:
        assert app["name"] != app["app_label"].title(), app["app_label"]
        assert str(app["name"]) in text
        for model in app["models"]:
            declared = model["model"]._meta.original_attrs
            assert {"verbose_name", "verbose_name_plural"} <= declared.keys(), model["object_name"]
            assert str(model["name"]) in text


def test_the_admin_index_for_the_administrator_lists_the_swedish_app_names(cast):
    text = _text(cast.client("admin").get("/admin/").content.decode())
    for name in ("Konton och behörigheter", "Organisationer", "Oro och ärenden", "Riktlinjer"):
        assert name in text


@pytest.mark.parametrize(
    "path",
    ["/admin/guidelines/interventionarea/", "/admin/guidelines/reportingduty/", "/admin/guidelines/reportingduty/add/"],
)
def test_the_guideline_column_and_field_are_named_in_swedish(cast, path):
    text = _text(cast.client("admin").get(path).content.decode())
    assert "Guideline" not in text
    assert "Riktlinje" in text
