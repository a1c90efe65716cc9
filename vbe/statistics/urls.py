from django.urls import path

from vbe.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.city_statistics, name="city"),
    path("<slug:code>/", views.district_statistics, name="district"),
]
