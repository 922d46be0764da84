from django.contrib import admin

from .models import LASettings

# The register entries themselves are not in the admin: they are personal data, seen and changed only
# through the pages, which check permissions and write the audit log.


@admin.register(LASettings)
class LASettingsAdmin(admin.ModelAdmin):
    list_display = ("la", "cnis_register_enabled", "sao_legal_referral", "legal_team_name")
    list_filter = ("cnis_register_enabled", "sao_legal_referral")
    readonly_fields = ("created_at", "modified_at", "created_by", "modified_by")

    def save_model(self, request, obj, form, change):
        obj.stamp(request.user)
        super().save_model(request, obj, form, change)
