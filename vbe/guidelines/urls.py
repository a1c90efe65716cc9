from django.urls import path

from vbe.guidelines import views

app_name = "guidelines"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("mitt-uppdrag/", views.my_mission, name="my_mission"),
    path("omraden/<slug:slug>/", views.focus_area, name="focus_area"),
    path("kalender/", views.calendar, name="calendar"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
