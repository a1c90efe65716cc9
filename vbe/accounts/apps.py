from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vbe.accounts"
    label = "accounts"
