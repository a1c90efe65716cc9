"""Placeholder: filled in by the symbols part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
