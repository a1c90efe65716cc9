from django.urls import path

from vbe.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("samordnare/", views.coordinator_list, name="coordinators"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
]
