"""The one way a view turns a form and a service into a response.

A valid posted form is handed to the service; what the service returns decides the message and where
the user goes next (the message says what happened, not what usually happens; a page that is itself
the answer, such as a receipt, needs none). Bad input, or a refusal of the service (ValidationError: a
locked row, a stale version, a rule of the domain), becomes an error on the form, and the page is shown
again with what the user typed, status 400. A page whose form is also shown on GET gets it, unbound, 200. PermissionDenied and Http404 pass
through: the service asks the permission again under its row lock, and the answer is the view's to
give (403 or 404, logged by the middleware).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

Result = TypeVar("Result")


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    service: Callable[[dict[str, object]], Result],
    *,
    done: str | Callable[[Result], str] | None,
    next_url: Callable[[Result], str],
    page_again: Callable[[forms.BaseForm], HttpResponse],
) -> HttpResponse:
    """``service`` gets the form's cleaned data; ``page_again`` renders the page with the form (a bound
    form's page gets status 400 here)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = service(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if done is not None:
                messages.success(request, done(result) if callable(done) else done)
            return redirect(next_url(result))
    response = page_again(form)
    if form.is_bound:
        response.status_code = 400
    return response
