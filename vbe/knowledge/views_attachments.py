"""Placeholder: filled in by the attachments part."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
