from django.contrib import admin

from .models import LocalAuthority, School


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "urn", "la", "estab_number", "school_type", "phase", "is_open")
    list_filter = ("school_type", "phase", "la")
    search_fields = ("name", "urn")
