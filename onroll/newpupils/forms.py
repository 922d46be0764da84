"""The new pupil return form: the admission register's details about a pupil (reg 13(1)–(3))."""

from django import forms

from onroll.web.govuk_fields import GovDateField

from .models import YearGroup

CHILD_FIELDS = (
    "legal_first_name",
    "legal_middle_names",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "date_of_birth",
    "sex",
    "upn",
    "former_upn",
)


def _text(label: str, *, required_message: str = "", max_length: int = 100, **kwargs):
    if required_message:
        return forms.CharField(
            label=label, max_length=max_length, error_messages={"required": required_message}, **kwargs
        )
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class NewPupilForm(forms.Form):
    legal_first_name = _text("Legal first name", required_message="Enter the pupil's legal first name")
    legal_middle_names = _text("Middle names (optional)")
    legal_last_name = _text("Legal last name", required_message="Enter the pupil's legal last name")
    preferred_first_name = _text("Preferred first name, if different (optional)")
    preferred_last_name = _text("Preferred last name, if different (optional)")
    date_of_birth = GovDateField(
        label="Date of birth", label_lower="the pupil's date of birth", help_text="For example, 27 3 2015"
    )
    sex = forms.ChoiceField(
        label="Sex",
        widget=forms.RadioSelect,
        choices=[("F", "Female"), ("M", "Male"), ("U", "Not known")],
        error_messages={"required": "Select the pupil's sex"},
    )
    upn = _text("Unique pupil number (UPN), if known", max_length=20)
    former_upn = _text("Former UPN, if known", max_length=20)
    entered_on = GovDateField(
        label="Date the name was entered on the admission register",
        label_lower="the date the name was entered on the admission register",
        help_text="The return is due by the end of the 5th day after this date",
    )
    first_attendance = GovDateField(
        label="First day of attendance",
        label_lower="the first day of attendance",
        help_text="The day the pupil first attended, or is expected to",
    )
    year_group = forms.ChoiceField(
        label="Year group",
        choices=[("", "Select a year group"), *YearGroup.choices],
        error_messages={"required": "Select the pupil's year group"},
    )
    previous_school = _text("Previous school, if known (optional)", max_length=200)
    address_line_1 = _text(
        "Address line 1", required_message="Enter the first line of the pupil's address", max_length=200
    )
    address_line_2 = _text("Address line 2 (optional)", max_length=200)
    town = _text("Town or city")
    postcode = _text("Postcode", max_length=10)
    parent_1_name = _text(
        "Name of a parent the pupil lives with",
        required_message="Enter the name of a parent the pupil lives with",
        max_length=200,
    )
    parent_1_phone = _text(
        "Their phone number",
        required_message="Enter a phone number for the parent the pupil lives with",
        max_length=40,
    )
    parent_2_name = _text("Name of another parent the pupil lives with (optional)", max_length=200)
    parent_2_phone = _text("Their phone number (optional)", max_length=40)

    def clean(self):
        data = super().clean()
        if data.get("parent_2_name") and not data.get("parent_2_phone"):
            self.add_error("parent_2_phone", "Enter a phone number for the second parent")
        if data.get("parent_2_phone") and not data.get("parent_2_name"):
            self.add_error("parent_2_name", "Enter the name of the second parent for this number")
        return data

    def to_service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "child": {name: d[name] for name in CHILD_FIELDS},
            "address": {
                "line_1": d["address_line_1"],
                "line_2": d["address_line_2"],
                "town": d["town"],
                "postcode": d["postcode"].upper(),
            },
            "parents": [
                {
                    "name": d[f"parent_{n}_name"],
                    "phone": d[f"parent_{n}_phone"],
                    "relationship": "Parent",
                    "parental_responsibility": True,
                    "lives_with_child": True,
                }
                for n in (1, 2)
                if d[f"parent_{n}_name"]
            ],
            "entered_on": d["entered_on"],
            "first_attendance": d["first_attendance"],
            "year_group": d["year_group"],
            "previous_school": d["previous_school"],
        }
