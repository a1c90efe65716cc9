from django.urls import path

from vbe.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("halsa/", views.health, name="health"),
]
