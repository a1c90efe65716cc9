"""/jobb/: the progress page of a background job (HTML, and JSON for the page's poller)."""

from django.urls import path

from vbe.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<uuid:pk>/", views.progress, name="progress"),
    path("<uuid:pk>.json", views.progress_json, name="progress_json"),
]
