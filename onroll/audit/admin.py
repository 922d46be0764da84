from django.contrib import admin

from onroll.core.admin import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the log can be searched here but never edited or deleted."""

    list_display = ("at", "username", "action", "object_type", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("username", "summary", "child_id")
