"""Form fields that render and validate the GOV.UK way (the date input pattern: day, month, year)."""

import datetime as dt

from django import forms


class DateInputs(forms.MultiWidget):
    template_name = "web/widgets/date_inputs.html"

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        labels_widths = (("Day", 2), ("Month", 2), ("Year", 4))
        context["widget"]["parts"] = [
            (sub, label, width)
            for sub, (label, width) in zip(context["widget"]["subwidgets"], labels_widths, strict=True)
        ]
        return context

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovDateField(forms.MultiValueField):
    """A date entered as day, month and year, with the GOV.UK error messages for each way it can be wrong."""

    widget = DateInputs

    def __init__(self, *, label_lower: str = "the date", **kwargs):
        self.label_lower = label_lower
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        day, month, year = ((v or "").strip() for v in (data_list or ["", "", ""]))
        name = self.label_lower
        if not (day or month or year):
            if self.required:
                raise forms.ValidationError(f"Enter {name}", code="required")
            return None
        missing = [part for part, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(f"{name[0].upper()}{name[1:]} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(f"{name[0].upper()}{name[1:]} must be a real date")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{name[0].upper()}{name[1:]} must be a real date") from None

    def clean(self, value):
        # MultiValueField would raise its own "required" message first; ours names the field.
        return self.compress(value)
