from django.urls import path

from vbe.incidents import views, views_handling

app_name = "incidents"
urlpatterns = [
    path("", views_handling.incident_list, name="list"),
    path("rapportera/", views.report, name="report"),
    path("kvitto/<str:reference>/", views.receipt, name="receipt"),
    path("mina/", views.mine, name="mine"),
    path("<int:pk>/", views_handling.detail, name="detail"),
    path("<int:pk>/status/", views_handling.change_status, name="change_status"),
    path("<int:pk>/skicka-vidare/", views_handling.reroute, name="reroute"),
    # Waiting for a new coordinator: the central coordinator re-routes it without reading it.
    path("<int:pk>/vantar-pa-samordnare/", views_handling.reroute_awaiting, name="reroute_awaiting"),
    path("<int:pk>/bild/<int:photo_pk>/", views_handling.photo, name="photo"),
]
