from django.urls import path

from vbe.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.sign_in, name="sign_in"),
    path("logga-in/kod/", views.sign_in_code, name="sign_in_code"),
    path("logga-ut/", views.sign_out, name="sign_out"),
    path("konto/", views.account, name="account"),
    path("konto/tvastegsverifiering/", views.mfa_setup, name="mfa_setup"),
    path("konto/avsluta-sessioner/", views.end_sessions, name="end_sessions"),
    path("konto/bekrafta/", views.reauthenticate, name="reauthenticate"),
    path("konto/valj-losenord/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("behorighetsforslag/", views.access_changes, name="access_changes"),
    path("behorighetsforslag/<int:pk>/", views.access_change_decide, name="access_change_decide"),
]
