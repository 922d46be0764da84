from django.contrib import admin

from .models import Reason, Vulnerability


@admin.register(Reason, Vulnerability)
class ReferenceEntryAdmin(admin.ModelAdmin):
    list_display = ("label", "code", "verified", "active", "source")
    list_filter = ("verified", "active")
    search_fields = ("label", "code")
    readonly_fields = ("code",)
