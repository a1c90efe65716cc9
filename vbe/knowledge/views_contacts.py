"""Placeholder: filled in by the contacts part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
