"""Web forms. They only parse and check the shape of input; business rules live in the services."""

from django import forms

from onroll.accounts.models import Organisation, User
from onroll.casework.models import (
    Category,
    ContactMethod,
    ContactOutcome,
    ProvisionType,
    Reason,
    Vulnerability,
)
from onroll.children.models import VULNERABILITY_FLAGS, Ethnicity
from onroll.schools.models import School

from .govuk_fields import GovDateField

REFERRAL_CATEGORIES = [(c.value, c.label) for c in Category if c not in (Category.CLOSED, Category.EHE)]


def _reasons():
    return Reason.objects.filter(active=True)


class VersionedForm(forms.Form):
    """An edit form that carries the record's last-modified time, so a stale save is refused."""

    version = forms.CharField(widget=forms.HiddenInput)


class ReferralForm(forms.Form):
    """The professional CME referral form (Portsmouth appendix 5), plus what Onroll needs to open a case."""

    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the child's first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the child's last name"}
    )
    date_of_birth = GovDateField(
        label="Date of birth", label_lower="the child's date of birth", help_text="For example, 27 3 2015"
    )
    sex = forms.ChoiceField(
        label="Gender",
        widget=forms.RadioSelect,
        choices=[("F", "Female"), ("M", "Male"), ("U", "Not known")],
        error_messages={"required": "Select the child's gender"},
    )
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOBT)
    upn = forms.CharField(label="Unique pupil number (UPN), if known", required=False, max_length=20)
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter the first line of the child's address"},
    )
    address_line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    confidential_address = forms.BooleanField(
        label="This address is confidential (for example a refuge)", required=False
    )
    parent_1_name = forms.CharField(label="Parent or carer's name", max_length=200, required=False)
    parent_1_phone = forms.CharField(label="Parent or carer's contact number", max_length=40, required=False)
    parent_2_name = forms.CharField(label="Second parent or carer's name", max_length=200, required=False)
    parent_2_phone = forms.CharField(
        label="Second parent or carer's contact number", max_length=40, required=False
    )
    other_address = forms.CharField(
        label="Parent's address if different from the child's (optional)", required=False, max_length=300
    )
    category = forms.ChoiceField(
        label="What is your concern?",
        widget=forms.RadioSelect,
        choices=REFERRAL_CATEGORIES,
        error_messages={"required": "Select what your concern is"},
    )
    primary_reason = forms.ModelChoiceField(
        label="Main reason",
        queryset=Reason.objects.none(),
        empty_label="Select a reason",
        error_messages={"required": "Select the main reason"},
    )
    vulnerabilities = forms.ModelMultipleChoiceField(
        label="Vulnerabilities (select all that apply)",
        queryset=Vulnerability.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label="Details",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For example, where did you see the child? How were you made aware this child is not on "
        "the roll of a school? Did you speak to the parents?",
        error_messages={"required": "Enter the details of your concern"},
    )
    referral_date = GovDateField(label="Referral date", label_lower="the referral date")
    referrer_name = forms.CharField(
        label="Your name", max_length=200, error_messages={"required": "Enter your name"}
    )
    referrer_contact = forms.CharField(
        label="Your contact details",
        max_length=300,
        help_text="A phone number and email address",
        error_messages={"required": "Enter your contact details"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_reason"].queryset = _reasons()
        self.fields["vulnerabilities"].queryset = Vulnerability.objects.filter(active=True)

    def clean(self):
        data = super().clean()
        if data.get("parent_1_phone") and not data.get("parent_1_name"):
            self.add_error("parent_1_name", "Enter the name of the parent or carer for this number")
        if data.get("parent_2_phone") and not data.get("parent_2_name"):
            self.add_error("parent_2_name", "Enter the name of the second parent or carer for this number")
        return data

    def to_service_data(self) -> dict:
        d = self.cleaned_data
        parents = [
            {
                "name": d[f"parent_{n}_name"],
                "phone": d[f"parent_{n}_phone"],
                "relationship": "Parent or carer",
                "parental_responsibility": True,
            }
            for n in (1, 2)
            if d[f"parent_{n}_name"]
        ]
        other = d["other_address"].strip()
        return {
            "child": {
                "legal_first_name": d["first_name"],
                "legal_last_name": d["last_name"],
                "date_of_birth": d["date_of_birth"],
                "sex": d["sex"],
                "ethnicity": d["ethnicity"],
                "upn": d["upn"],
            },
            "address": {
                "line_1": d["address_line_1"],
                "line_2": d["address_line_2"],
                "town": d["town"],
                "postcode": d["postcode"].upper(),
                "confidential": d["confidential_address"],
            },
            "other_address": {"line_1": other, "confidential": d["confidential_address"]} if other else None,
            "parents": parents,
            "category": d["category"],
            "primary_reason": d["primary_reason"],
            "vulnerabilities": d["vulnerabilities"],
            "details": d["details"],
            "referral_date": d["referral_date"],
            "referrer_name": d["referrer_name"],
            "referrer_contact": d["referrer_contact"],
        }


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note", widget=forms.Textarea(attrs={"rows": 4}), error_messages={"required": "Enter the note"}
    )


class CompleteTaskForm(forms.Form):
    done_on = GovDateField(label="Date it was done", label_lower="the date it was done")
    evidence = forms.CharField(
        label="What was done",
        help_text="The evidence this step asks for: what was done, by whom, and any reference.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what was done: the evidence this step asks for"},
    )


class ContactAttemptForm(forms.Form):
    made_on = GovDateField(label="Date of attempt", label_lower="the date of the attempt")
    method = forms.ChoiceField(
        label="How did you try to make contact?",
        widget=forms.RadioSelect,
        choices=ContactMethod.choices,
        error_messages={"required": "Select how you tried to make contact"},
    )
    contacted = forms.CharField(
        label="Who did you try to contact?",
        max_length=200,
        help_text="For example, mother on her mobile number",
        error_messages={"required": "Enter who you tried to contact"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Select an outcome"), *ContactOutcome.choices],
        error_messages={"required": "Select the outcome"},
    )
    details = forms.CharField(
        label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChangeStatusForm(VersionedForm):
    to_category = forms.ChoiceField(
        label="New status", widget=forms.RadioSelect, error_messages={"required": "Select the new status"}
    )
    reason = forms.CharField(
        label="Why is the status changing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the status is changing"},
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_category"].choices = [(c, Category(c).label) for c in Category.values if c in allowed]


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label="Search by name, UPN or date of birth", required=False, max_length=100)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "All open cases"), *Category.choices]
    )
    reason = forms.ChoiceField(label="Main reason", required=False)
    school = forms.ChoiceField(label="Responsible school or team", required=False)
    year_group = forms.TypedChoiceField(
        label="Year group",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any year group"), ("0", "Reception"), *[(str(y), f"Year {y}") for y in range(1, 12)]],
    )
    vulnerability = forms.ChoiceField(label="Vulnerability", required=False)
    lead = forms.ChoiceField(label="Lead professional", required=False)

    def __init__(self, *args, reasons=(), organisations=(), vulnerabilities=(), leads=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "Any reason"), *[(r.code, r.label) for r in reasons]]
        self.fields["school"].choices = [("", "Any"), *[(str(o.pk), o.name) for o in organisations]]
        self.fields["vulnerability"].choices = [("", "Any"), *[(v.code, v.label) for v in vulnerabilities]]
        self.fields["lead"].choices = [("", "Anyone"), *[(str(u.pk), str(u)) for u in leads]]


class ChildDetailsForm(VersionedForm):
    legal_first_name = forms.CharField(
        label="Legal first name",
        max_length=100,
        error_messages={"required": "Enter the child's legal first name"},
    )
    legal_middle_names = forms.CharField(label="Middle names (optional)", max_length=100, required=False)
    legal_last_name = forms.CharField(
        label="Legal last name",
        max_length=100,
        error_messages={"required": "Enter the child's legal last name"},
    )
    preferred_first_name = forms.CharField(
        label="Preferred first name (optional)", max_length=100, required=False
    )
    preferred_last_name = forms.CharField(
        label="Preferred last name (optional)", max_length=100, required=False
    )
    date_of_birth = GovDateField(label="Date of birth", label_lower="the child's date of birth")
    sex = forms.ChoiceField(
        label="Sex", widget=forms.RadioSelect, choices=[("F", "Female"), ("M", "Male"), ("U", "Not known")]
    )
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=Ethnicity.choices)
    upn = forms.CharField(label="UPN (optional)", max_length=20, required=False)
    former_upn = forms.CharField(label="Former UPN (optional)", max_length=20, required=False)
    flags = forms.MultipleChoiceField(
        label="Needs and circumstances (select all that apply)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=VULNERABILITY_FLAGS,
    )

    def to_service_data(self) -> dict:
        d = dict(self.cleaned_data)
        flags = set(d.pop("flags"))
        d.pop("version")
        return {**d, **{name: name in flags for name, _ in VULNERABILITY_FLAGS}}


class EnrolmentForm(forms.Form):
    school = forms.ModelChoiceField(
        label="School",
        queryset=School.objects.none(),
        empty_label="Select a school",
        error_messages={"required": "Select the school"},
    )
    entry_date = GovDateField(label="Entry date", label_lower="the entry date")
    leaving_date = GovDateField(
        label="Leaving date (leave blank if still on roll)", label_lower="the leaving date", required=False
    )
    leaving_reason = forms.CharField(label="Reason for leaving (optional)", max_length=200, required=False)

    def __init__(self, *args, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()


class AddressForm(forms.Form):
    line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter the first line of the address"},
    )
    line_2 = forms.CharField(label="Address line 2 (optional)", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    from_date = GovDateField(label="Living here from (optional)", label_lower="the date from", required=False)
    confidential = forms.BooleanField(
        label="This address is confidential (for example a refuge)", required=False
    )

    def clean_postcode(self):
        return self.cleaned_data["postcode"].upper().strip()


class ContactForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200, error_messages={"required": "Enter the name"})
    relationship = forms.CharField(
        label="Relationship to the child",
        max_length=60,
        help_text="For example, mother, grandfather, foster carer",
        error_messages={"required": "Enter the relationship to the child"},
    )
    parental_responsibility = forms.BooleanField(label="Has parental responsibility", required=False)
    lives_with_child = forms.BooleanField(label="Lives with the child", required=False)
    phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    phone_other = forms.CharField(label="Other phone (optional)", max_length=40, required=False)
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )


class CaseDetailsForm(VersionedForm):
    primary_reason = forms.ModelChoiceField(
        label="Main reason",
        queryset=Reason.objects.none(),
        error_messages={"required": "Select the main reason"},
    )
    vulnerabilities = forms.ModelMultipleChoiceField(
        label="Vulnerabilities (select all that apply)",
        queryset=Vulnerability.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    provision_type = forms.ChoiceField(label="Provision", choices=ProvisionType.choices)
    hours_per_week = forms.DecimalField(
        label="Hours of provision a week (optional)",
        required=False,
        max_digits=4,
        decimal_places=1,
        error_messages={"invalid": "Hours a week must be a number, like 12.5"},
    )
    responsible_org = forms.ModelChoiceField(
        label="Responsible school or team",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="Not allocated",
    )
    lead_professional = forms.ModelChoiceField(
        label="Lead professional", required=False, queryset=User.objects.none(), empty_label="Not allocated"
    )
    safeguarding_concern = forms.BooleanField(label="There is a safeguarding concern", required=False)
    whereabouts_unknown = forms.BooleanField(label="The child's whereabouts are unknown", required=False)
    parents_not_engaging = forms.BooleanField(
        label="Parents or carers are not engaging with the school or LA", required=False
    )

    def __init__(self, *args, organisations=None, leads=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_reason"].queryset = _reasons()
        self.fields["vulnerabilities"].queryset = Vulnerability.objects.filter(active=True)
        self.fields["responsible_org"].queryset = (
            organisations if organisations is not None else Organisation.objects.none()
        )
        self.fields["lead_professional"].queryset = leads if leads is not None else User.objects.none()
