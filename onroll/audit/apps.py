from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "onroll.audit"
    label = "audit"
