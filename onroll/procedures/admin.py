from django import forms
from django.contrib import admin

from onroll.core.admin import ReadOnlyAdmin

from .models import Procedure, ProcedurePackVersion, Task


@admin.register(ProcedurePackVersion)
class ProcedurePackVersionAdmin(ReadOnlyAdmin):
    """Packs come from files through load_packs, and cases point at the version they ran under."""

    list_display = ["pack_id", "version", "name", "source_file", "loaded_at"]
    list_filter = ["pack_id"]
    readonly_fields = ["pack_id", "version", "name", "content_hash", "content", "source_file", "loaded_at"]


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = ["child", "school", "pack_version", "opened_on", "stood_down_on", "stand_down_reason"]
    list_filter = ["pack_version", "stand_down_reason"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "role", "school", "opened_on", "due_on", "status", "escalated_on"]
    list_filter = ["status", "role"]


def pack_choice_field(required: bool = False) -> forms.ChoiceField:
    """A select of the loaded pack ids, for an LA's or a school's `procedure_pack`."""
    ids = ProcedurePackVersion.objects.order_by("pack_id").values_list("pack_id", flat=True).distinct()
    return forms.ChoiceField(
        choices=[("", "None")] + [(pack_id, pack_id) for pack_id in ids],
        required=required,
        label="Procedure pack",
    )
