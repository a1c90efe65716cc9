"""The portal's own pages, in three URL namespaces that keep the names links already use."""

from django.urls import path

from vbe.portal import access_log, organisations, views

# "portal": the start page and the pages every visitor may reach.
portal_patterns = [
    path("", views.home, name="home"),
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("halsa/", views.health, name="health"),
    path("golv/", views.floor, name="floor"),
]

# "organisations": the organisation tree with its coordinators and duties.
organisation_patterns = [
    path("", organisations.organisation_list, name="list"),
    path("samordnare/", organisations.coordinator_list, name="coordinators"),
    path("<slug:slug>/", organisations.organisation_detail, name="detail"),
]

# "audit": the auditor's reading of the access log.
access_log_patterns = [
    path("", access_log.access_log, name="access_log"),
]
