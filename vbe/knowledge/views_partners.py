"""Placeholder: filled in by the partners part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
