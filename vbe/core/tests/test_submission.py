from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from vbe.core.submission import submit


class NoteForm(forms.Form):
    note = forms.CharField(max_length=20)


def _request(data: dict[str, str]):
    request = RequestFactory().post("/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _page_again(form: forms.BaseForm) -> HttpResponse:
    return HttpResponse(
        f"fel: {'; '.join(form.non_field_errors() + form.errors.get('note', []))} | {form['note'].value()}"
    )


def test_a_valid_form_reaches_the_service_and_the_message_follows_its_result():
    request, calls = _request({"note": "hej"}), []

    def service(data: dict[str, object]) -> str:
        calls.append(data)
        return "ORO-2026-0001"

    response = submit(
        request,
        NoteForm(request.POST),
        service,
        done=lambda ref: f"{ref} är sparat.",
        next_url=lambda ref: f"/oro/{ref}/",
        page_again=_page_again,
    )
    assert calls == [{"note": "hej"}]
    assert (response.status_code, response["Location"]) == (302, "/oro/ORO-2026-0001/")
    assert [str(m) for m in get_messages(request)] == ["ORO-2026-0001 är sparat."]


def test_a_refusal_of_the_service_shows_the_page_again_with_the_reason_and_what_was_typed():
    request = _request({"note": "mitt utkast"})

    def service(data: dict[str, object]) -> str:
        raise ValidationError("Ärendet har ändrats av någon annan.")

    response = submit(request, NoteForm(request.POST), service, done="Sparat.", next_url=str, page_again=_page_again)
    assert response.status_code == 400
    assert response.content.decode() == "fel: Ärendet har ändrats av någon annan. | mitt utkast"
    assert list(get_messages(request)) == []


def test_an_invalid_form_never_reaches_the_service():
    request, calls = _request({"note": "x" * 21}), []
    response = submit(
        request, NoteForm(request.POST), calls.append, done="Sparat.", next_url=str, page_again=_page_again
    )
    assert calls == []
    assert response.status_code == 400
    assert response.content.decode().endswith(" | " + "x" * 21)  # what was typed is kept
    assert "21" in response.content.decode().split(" | ")[0]  # the field's own error: 21 characters typed


def test_a_page_that_shows_its_form_on_get_gets_it_unbound_and_a_receipt_needs_no_message():
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    shown = submit(request, NoteForm(), str, done=None, next_url=str, page_again=lambda f: HttpResponse("sidan"))
    assert (shown.status_code, shown.content) == (200, b"sidan")

    posted = _request({"note": "hej"})
    response = submit(
        posted,
        NoteForm(posted.POST),
        lambda d: "kvitto",
        done=None,
        next_url=lambda r: f"/{r}/",
        page_again=_page_again,
    )
    assert (response.status_code, response["Location"]) == (302, "/kvitto/")
    assert list(get_messages(posted)) == []
