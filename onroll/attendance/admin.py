from django.contrib import admin

from onroll.core.admin import ReadOnlyAdmin

from .models import AttendanceCode, AttendanceMark


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


@admin.register(AttendanceMark)
class AttendanceMarkAdmin(ReadOnlyAdmin):
    """Read-only: marks arrive through the import, which checks them and audits every replacement."""

    list_display = ("date", "session", "code", "child", "school")
    list_select_related = ("child", "school")
    list_filter = ("session",)
    date_hierarchy = "date"
    raw_id_fields = ("child", "school")
    show_full_result_count = False  # counting tens of millions of rows on every page is slow
