"""Placeholder: filled in by the search part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
