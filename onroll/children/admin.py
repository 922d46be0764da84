"""Children in the admin: read-only, for support staff to find a record. Nobody adds a child here, because
every way in must search first ("Find a child", the referral form, CTF import, the API)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from onroll.accounts.permissions import Perm, can
from onroll.audit.services import record_view

from .models import Child


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ("full_name", "date_of_birth", "upn", "la", "created_at")
    list_filter = ("la",)
    search_fields = (
        "legal_first_name",
        "legal_last_name",
        "preferred_first_name",
        "preferred_last_name",
        "upn",
    )
    search_help_text = "Search by first or last name (legal or preferred) or UPN"
    list_per_page = 50
    show_full_result_count = False  # counting a large register on every page is slow
    readonly_fields = ("search_first",)

    def has_view_permission(self, request, obj=None):
        return can(request.user, Perm.ADMIN)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Adding a child")
    def search_first(self, obj):
        return format_html(
            'Children are added through <a href="{}">Find a child</a> or <a href="{}">the referral form</a>, '
            "which search for the child first so that nobody gets two records.",
            reverse("web:find_child"),
            reverse("web:new_referral"),
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": "Children (read only: add them through Find a child)",
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        child = self.get_object(request, object_id)
        if child is not None and response.status_code == 200:
            record_view(request.user, child, child_id=child.pk)  # the admin's view is a view like any other
        return response
