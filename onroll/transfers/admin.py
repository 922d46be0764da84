"""CTF files, moves and arrival notices are written only through the transfer services (audited), so the
admin shows them read-only, for support and investigation."""

from django.contrib import admin

from onroll.core.admin import ReadOnlyAdmin

from .models import ArrivalNotice, CtfFile, Move


@admin.register(CtfFile)
class CtfFileAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "direction", "la", "school", "source", "destination", "pupils", "created_at"]
    list_filter = ["direction", "destination_kind", "la"]
    search_fields = ["file_name", "source", "destination"]
    exclude = ["content"]


@admin.register(Move)
class MoveAdmin(ReadOnlyAdmin):
    list_display = ["case", "destination", "to_la", "country", "moved_on", "status", "notified_on"]
    list_filter = ["status", "destination"]


@admin.register(ArrivalNotice)
class ArrivalNoticeAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "from_la", "received_on", "status", "la"]
    list_filter = ["status", "la"]
