"""API tokens in the admin: administrators see every token (never the token itself) and can revoke them."""

from django.contrib import admin, messages

from onroll.accounts.permissions import Perm, can

from .models import ApiToken
from .tokens import revoke_as_administrator


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "user__username", "prefix")
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_view_permission(self, request, obj=None):
        return can(request.user, Perm.ADMIN)

    def has_add_permission(self, request):
        return False  # a token is made by its owner, on their own API tokens page, and shown only to them

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted, so the audit log's references stay meaningful

    @admin.action(description="Revoke selected API tokens", permissions=["view"])
    def revoke(self, request, queryset):
        done = [revoke_as_administrator(request.user, pk) for pk in queryset.values_list("pk", flat=True)]
        messages.success(request, f"Revoked {len(done)} API token(s). They can no longer be used.")
