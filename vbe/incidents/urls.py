from django.urls import path

from vbe.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("rapportera/", views.report, name="report"),
    path("kvitto/<str:reference>/", views.receipt, name="receipt"),
    path("mina/", views.mine, name="mine"),
    path("statistik/", views.city_statistics, name="statistics"),
    path("statistik/<slug:code>/", views.district_statistics, name="district_statistics"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.change_status, name="change_status"),
    path("<int:pk>/skicka-vidare/", views.reroute, name="reroute"),
    # Waiting for a new coordinator: the central coordinator re-routes it without reading it.
    path("<int:pk>/vantar-pa-samordnare/", views.reroute_awaiting, name="reroute_awaiting"),
    path("<int:pk>/bild/<int:photo_pk>/", views.photo, name="photo"),
]
