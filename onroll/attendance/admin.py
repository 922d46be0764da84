from django.contrib import admin

from .models import AttendanceCode


@admin.register(AttendanceCode)
class AttendanceCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "meaning", "category", "counts_as_possible_session", "valid_from", "valid_until")
    list_display += ("verified", "active")
    list_filter = ("category", "counts_as_possible_session", "verified", "active")
    search_fields = ("code", "meaning")
    # The statutory facts come from the file and the mark import reads them from there, so editing them
    # here would mislead; an administrator may correct the wording, verify a row or retire it.
    readonly_fields = (
        "code",
        "category",
        "counts_as_possible_session",
        "statistical_meaning",
        "group_2024",
        "status",
        "valid_from",
        "valid_until",
    )

    def has_add_permission(self, request):
        return False  # codes are set by regulation; new ones arrive in the file

    def has_delete_permission(self, request, obj=None):
        return False  # marks refer to codes; untick "active" instead
