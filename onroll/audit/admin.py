from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched here but never edited or deleted."""

    list_display = ("at", "username", "action", "object_type", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("username", "summary", "child_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
