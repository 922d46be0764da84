from django import forms
from django.contrib import admin, messages

from .conditions import ConditionSyntaxError, parse_conditions
from .data_files import copy_default_list
from .models import DeletionGround, DeletionProposal, Enquiry, EnquiryKind


class DeletionGroundForm(forms.ModelForm):
    class Meta:
        model = DeletionGround
        fields = [
            "code_2006",
            "short_name",
            "label",
            "conditions",
            "requires_la_notification",
            "source",
            "verified",
            "active",
            "order",
        ]

    def clean_conditions(self):
        # A correction must still parse, or every proposal on the ground would fail to check.
        text = self.cleaned_data["conditions"]
        try:
            parse_conditions(text)
        except ConditionSyntaxError as error:
            raise forms.ValidationError(str(error)) from None
        return text


@admin.register(DeletionGround)
class DeletionGroundAdmin(admin.ModelAdmin):
    form = DeletionGroundForm
    list_display = ("code_2024", "code_2006", "label", "verified", "active")
    list_filter = ("verified", "active")
    readonly_fields = ("code_2024",)
    search_fields = ("code_2024", "code_2006", "label", "short_name")


@admin.register(EnquiryKind)
class EnquiryKindAdmin(admin.ModelAdmin):
    list_display = ("label", "la", "group", "required", "required_if_flag", "order", "verified", "active")
    list_filter = ("la", "group", "required", "verified", "active")
    search_fields = ("label", "code")
    actions = ["copy_to_own_list"]

    @admin.action(description="Give each selected row's LA its own list (a copy of the default list)")
    def copy_to_own_list(self, request, queryset):
        las = {kind.la for kind in queryset if kind.la is not None}
        if not las:
            self.message_user(
                request,
                "Select a row that belongs to an LA, or run: manage.py copy_enquiry_list <LA number>",
                messages.WARNING,
            )
            return
        for la in las:
            added = copy_default_list(la)
            self.message_user(request, f"{la}: {added} enquiries copied from the default list")


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin):
    list_display = ("case", "kind", "side", "made_on", "outcome")
    list_filter = ("side", "outcome")
    raw_id_fields = ("case",)

    def has_change_permission(self, request, obj=None):
        return False  # the log is evidence: correct it by recording another enquiry


@admin.register(DeletionProposal)
class DeletionProposalAdmin(admin.ModelAdmin):
    list_display = ("child", "school", "ground", "status", "decision", "deleted_on")
    list_filter = ("status", "decision", "ground")
    raw_id_fields = ("child", "enrolment", "case")

    def has_change_permission(self, request, obj=None):
        return False  # changed only through the services, which check and audit
