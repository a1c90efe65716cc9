"""Placeholder: filled in by the review part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
