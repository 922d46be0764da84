from django.contrib import admin

from .models import ProcedurePackVersion


@admin.register(ProcedurePackVersion)
class ProcedurePackVersionAdmin(admin.ModelAdmin):
    list_display = ["pack_id", "version", "name", "source_file", "loaded_at"]
    list_filter = ["pack_id"]
    readonly_fields = ["pack_id", "version", "name", "content_hash", "content", "source_file", "loaded_at"]

    def has_add_permission(self, request):
        return False  # packs come from files through load_packs

    def has_change_permission(self, request, obj=None):
        return False
