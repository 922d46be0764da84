"""Forms for closing a case with its outcome, exclusions and the EHE and not-in-school registers.

They only parse and check the shape of input; which details each outcome needs, and every other rule, is
in the services (casework.outcomes, casework.exclusions, registers.services)."""

from django import forms

from onroll.casework.models import ConfirmedHow, ExclusionKind, Outcome
from onroll.registers import cnis_fields
from onroll.registers.models import NoticeKind, ReviewOutcome
from onroll.schools.models import LocalAuthority, School

from .forms import VersionedForm
from .govuk_fields import GovDateField

# Which form fields are shown under each outcome's radio, and the service's name for each.
OUTCOME_FORM_FIELDS: dict[str, dict[str, str]] = {
    Outcome.BACK_ON_ROLL: {"school": "school", "on_roll_from": "on_roll_from"},
    Outcome.EHE: {"review_due": "review_due"},
    Outcome.MOVED_LA: {
        "other_la": "other_la",
        "la_confirmed_how": "confirmed_how",
        "la_confirmed_on": "confirmed_on",
    },
    Outcome.MOVED_ABROAD: {"country": "country", "abroad_confirmed_how": "confirmed_how"},
    Outcome.LOST_CTF: {"ctf_uploaded_on": "ctf_uploaded_on"},
    Outcome.SAO: {"sao_served_on": "sao_served_on"},
    Outcome.ALTERNATIVE_PROVISION: {"provision": "provision", "hours_per_week": "hours_per_week"},
    Outcome.DIED: {"died_on": "died_on"},
}
HOW_CHOICES = [("", "Select how it was confirmed"), *ConfirmedHow.choices]


class CloseCaseForm(VersionedForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        widget=forms.RadioSelect,
        choices=Outcome.choices,
        error_messages={"required": "Select the outcome"},
    )
    school = forms.ModelChoiceField(
        label="School", required=False, queryset=School.objects.none(), empty_label="Select a school"
    )
    on_roll_from = GovDateField(
        label="On the school's roll from", label_lower="the date the child went on the roll", required=False
    )
    review_due = GovDateField(
        label="Suitability review due",
        label_lower="the date the suitability review is due",
        required=False,
        help_text="The child goes on the elective home education register with this review",
    )
    other_la = forms.ModelChoiceField(
        label="Local authority",
        required=False,
        queryset=LocalAuthority.objects.none(),
        empty_label="Select a local authority",
    )
    la_confirmed_how = forms.ChoiceField(
        label="How was the move confirmed?", required=False, choices=HOW_CHOICES
    )
    la_confirmed_on = GovDateField(
        label="Date confirmed", label_lower="the date the move was confirmed", required=False
    )
    country = forms.CharField(label="Country (if known)", required=False, max_length=100)
    abroad_confirmed_how = forms.ChoiceField(
        label="How was the move abroad confirmed?", required=False, choices=HOW_CHOICES
    )
    ctf_uploaded_on = GovDateField(
        label="Date the lost CTF was uploaded",
        label_lower="the date the lost CTF was uploaded",
        required=False,
    )
    sao_served_on = GovDateField(
        label="Date the school attendance order was served",
        label_lower="the date the school attendance order was served",
        required=False,
    )
    provision = forms.CharField(label="Which alternative provision?", required=False, max_length=200)
    hours_per_week = forms.DecimalField(
        label="Hours a week",
        required=False,
        max_digits=4,
        decimal_places=1,
        error_messages={"invalid": "Hours a week must be a number, like 12.5"},
    )
    died_on = GovDateField(label="Date of death", label_lower="the date the child died", required=False)
    date_closed = GovDateField(label="Date closed", label_lower="the date closed")
    reason = forms.CharField(
        label="Closing summary (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.filter(is_open=True).select_related("la")
        others = LocalAuthority.objects.all()
        if case is not None:
            others = others.exclude(pk=case.la_id)
        self.fields["other_la"].queryset = others

    def clean(self):
        data = super().clean()
        # Fields under the outcomes not chosen are hidden: what they hold is neither checked nor used.
        shown = OUTCOME_FORM_FIELDS.get(data.get("outcome") or self.data.get("outcome"), {})
        for fields in OUTCOME_FORM_FIELDS.values():
            for name in fields:
                if name not in shown:
                    self.errors.pop(name, None)
        return data

    def details(self) -> dict:
        """The chosen outcome's details, by the service's names."""
        shown = OUTCOME_FORM_FIELDS.get(self.cleaned_data["outcome"], {})
        return {service: self.cleaned_data.get(name) for name, service in shown.items()}

    def field_for(self, service_name: str) -> str:
        """The form field showing a service error about `service_name` for the chosen outcome."""
        shown = OUTCOME_FORM_FIELDS.get(self.cleaned_data.get("outcome"), {})
        return next((name for name, service in shown.items() if service == service_name), service_name)

    def outcome_groups(self):
        """(radio option, [fields revealed under it]) pairs for the conditional radios."""
        return [
            (option, [self[name] for name in OUTCOME_FORM_FIELDS.get(option.data["value"], {})])
            for option in self["outcome"]
        ]


class ExclusionForm(forms.Form):
    school = forms.ModelChoiceField(
        label="School", queryset=School.objects.none(), error_messages={"required": "Select the school"}
    )
    kind = forms.ChoiceField(
        label="Type of exclusion",
        widget=forms.RadioSelect,
        choices=ExclusionKind.choices,
        error_messages={"required": "Select the type of exclusion"},
    )
    first_day = GovDateField(label="First day of the exclusion", label_lower="the first day of the exclusion")
    last_day = GovDateField(
        label="Last day of the suspension",
        label_lower="the last day of the suspension",
        required=False,
        help_text="Leave blank for a permanent exclusion",
    )
    reason = forms.CharField(
        label="Reason (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()


class EHEStartForm(forms.Form):
    """When home education started and what notice was given: the fields adding and changing an EHE
    registration share (each subclass's own fields follow these)."""

    started_on = GovDateField(
        label="Home education started on", label_lower="the date home education started"
    )
    notice_kind = forms.ChoiceField(
        label="Notice received",
        widget=forms.RadioSelect,
        choices=NoticeKind.choices,
        error_messages={"required": "Select what notice was received"},
    )
    notice_received_on = GovDateField(
        label="Notice received on (leave blank if none yet)",
        label_lower="the date the notice was received",
        required=False,
    )


class EHERegistrationForm(EHEStartForm):
    review_due = GovDateField(
        label="First suitability review due", label_lower="the date the suitability review is due"
    )


class EHEChangeForm(EHEStartForm):
    ended_on = GovDateField(
        label="Home education ended on (leave blank if it continues)",
        label_lower="the date home education ended",
        required=False,
    )
    end_reason = forms.CharField(
        label="Why home education ended (if it has)",
        required=False,
        max_length=200,
        help_text="For example, back on the roll of Hillside Primary School",
    )


class ReviewForm(forms.Form):
    done_on = GovDateField(label="Date of the review", label_lower="the date of the review")
    outcome = forms.ChoiceField(
        label="Outcome of the review",
        widget=forms.RadioSelect,
        choices=ReviewOutcome.choices,
        error_messages={"required": "Select the outcome of the review"},
    )
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_due = GovDateField(
        label="Next review due",
        label_lower="when the next suitability review is due",
        required=False,
        help_text="Needed when the education is suitable or enquiries continue",
    )


class EHEFilterForm(forms.Form):
    review = forms.ChoiceField(
        label="Suitability review",
        required=False,
        choices=[
            ("", "Any"),
            ("overdue", "Overdue"),
            ("due_soon", "Due in the next 28 days"),
            ("none", "None due"),
        ],
    )
    status = forms.ChoiceField(
        label="Registration", required=False, choices=[("", "Current"), ("ended", "Ended"), ("all", "All")]
    )
    q = forms.CharField(label="Search by name", required=False, max_length=100)


class CNISEntryForm(forms.Form):
    """Built from reference/cnis_fields.csv, so the statutory list can be corrected without code."""

    registered_on = GovDateField(
        label="Added to the register on", label_lower="the date the child was added to the register"
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["ended_on"] = GovDateField(
                label="Removed from the register on (leave blank if still on it)",
                label_lower="the date removed from the register",
                required=False,
            )
            del self.fields["registered_on"]
        for field in cnis_fields.fields():
            self.fields[field.code] = self._field(field)

    @staticmethod
    def _field(field: cnis_fields.CNISField):
        hint = field.hint
        if not field.verified:
            hint = (hint + ". " if hint else "") + "Not yet checked against the Act's final text"
        common = {"label": field.label, "required": False, "help_text": hint}
        if field.type == "date":
            return GovDateField(label_lower=field.label[0].lower() + field.label[1:], **common)
        if field.type == "hours":
            return forms.DecimalField(
                max_digits=4,
                decimal_places=1,
                error_messages={"invalid": f"{field.label} must be a number, like 12.5"},
                **common,
            )
        if field.type == "choice":
            return forms.ChoiceField(widget=forms.RadioSelect, choices=field.choices, **common)
        if field.type == "textarea":
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=500, **common)
        return forms.CharField(max_length=200, **common)

    def register_data(self) -> dict:
        return {field.code: self.cleaned_data.get(field.code) for field in cnis_fields.fields()}
