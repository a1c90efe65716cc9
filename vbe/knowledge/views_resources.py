"""Placeholder: filled in by the resources part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
