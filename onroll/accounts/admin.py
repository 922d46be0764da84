from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Organisation, User


@admin.register(User)
class OnrollUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Onroll", {"fields": ("role", "organisation", "job_title")}),)
    list_display = ("username", "first_name", "last_name", "role", "organisation", "is_active")
    list_filter = ("role", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "team_function", "la_code")
    list_filter = ("kind", "team_function")
    search_fields = ("name",)
