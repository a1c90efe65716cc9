from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vbe.audit"
    label = "audit"
