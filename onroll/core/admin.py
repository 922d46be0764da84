from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that arrive only through a checked route (the audit log, attendance imports): the admin
    may search them but never add, change or delete one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
