from django.apps import AppConfig
from django.db.models.signals import post_save


class AuditConfig(AppConfig):
    name = "onroll.audit"
    label = "audit"

    def ready(self):
        from django.contrib.admin.models import LogEntry

        from .admin_log import copy_admin_action

        post_save.connect(copy_admin_action, sender=LogEntry, dispatch_uid="onroll_audit_admin_log")
