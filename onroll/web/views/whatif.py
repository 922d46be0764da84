"""The what-if timeline page: a child's procedure on the calendar under a scenario, two packs side by side."""

import bisect
import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from onroll.accounts.permissions import Perm
from onroll.attendance.matrix import code_index
from onroll.attendance.queries import attendance_school
from onroll.audit.services import record_view
from onroll.casework.models import Case, Category
from onroll.children import queries
from onroll.procedures import whatif
from onroll.procedures.models import ProcedurePackVersion
from onroll.schools.queries import NoCalendar, calendar_for

from ..govuk_fields import GovDateField
from .children import _child_or_404
from .common import require, today

SCENARIOS = [
    (whatif.ABSENT, "Absent without explanation from this date (every session marked N)"),
    (whatif.LEAVE, "On a leave of absence from this date (marked C), then does not return (marked N)"),
]


class WhatIfForm(forms.Form):
    scenario = forms.ChoiceField(
        label="What happens", widget=forms.RadioSelect, choices=SCENARIOS, initial=whatif.ABSENT
    )
    start = GovDateField(
        label="From", label_lower="the date the scenario starts", help_text="For example, 6 10 2025"
    )
    leave_days = forms.IntegerField(
        label="How many school days the leave lasts (leave of absence only)",
        required=False,
        min_value=1,
        max_value=whatif.MAX_LEAVE_DAYS,
        initial=10,
        error_messages={
            "invalid": "Enter the length of the leave as a number of school days",
            "min_value": "The leave must last at least 1 school day",
            "max_value": f"The leave can last at most {whatif.MAX_LEAVE_DAYS} school days",
        },
    )
    child_protection_plan = forms.BooleanField(label="The child has a child protection plan", required=False)
    safeguarding_concern = forms.BooleanField(label="There is a safeguarding concern", required=False)
    pack_a = forms.ChoiceField(label="First procedure pack")
    pack_b = forms.ChoiceField(label="Second procedure pack", required=False)

    def __init__(self, *args, pack_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pack_a"].choices = pack_choices
        self.fields["pack_b"].choices = [("", "None")] + pack_choices

    def clean(self):
        data = super().clean()
        if (
            data.get("scenario") == whatif.LEAVE
            and not data.get("leave_days")
            and "leave_days" not in self.errors
        ):
            self.add_error("leave_days", "Enter how many school days the leave lasts")
        return data


def newest_packs() -> dict[str, ProcedurePackVersion]:
    newest = {}
    for version in ProcedurePackVersion.objects.order_by("pack_id", "-version"):
        newest.setdefault(version.pack_id, version)
    return newest


def whose_pack(pack_id: str, school) -> str:
    owners = []
    if pack_id and pack_id == school.procedure_pack:
        owners.append(f"{school}'s own pack")
    if pack_id and pack_id == school.la.procedure_pack:
        owners.append(f"{school.la.name}'s pack")
    return " and ".join(owners)


def next_school_day(school_days, on: dt.date) -> dt.date:
    i = bisect.bisect_right(school_days.days, on)
    return school_days.days[i] if i < len(school_days.days) else on + dt.timedelta(days=1)


def _initial(child, school, school_days, packs) -> dict:
    school_pack = school.procedure_pack if school.procedure_pack in packs else ""
    la_pack = school.la.procedure_pack if school.la.procedure_pack in packs else ""
    first = school_pack or la_pack or next(iter(packs), "")
    second = la_pack if school_pack and la_pack and la_pack != school_pack else ""
    concern = (
        Case.objects.filter(child=child, safeguarding_concern=True).exclude(category=Category.CLOSED).exists()
    )
    return {
        "scenario": whatif.ABSENT,
        "start": next_school_day(school_days, today()),
        "leave_days": 10,
        "child_protection_plan": child.child_protection_plan,
        "safeguarding_concern": concern,
        "pack_a": first,
        "pack_b": second,
    }


@login_required
def what_if(request, child_id):
    require(request.user, Perm.VIEW_CHILD)
    child = _child_or_404(request.user, child_id)
    record_view(request.user, child, child_id=child.pk)
    context = {"child": child, "horizon": whatif.HORIZON_DAYS}
    school = attendance_school(queries.enrolments_of(child))
    context["school"] = school
    if school is None:
        context["problem"] = (
            "The child is not on any school roll Onroll knows of, so there is no register to start from."
        )
        return render(request, "web/whatif.html", context)
    try:
        school_days = calendar_for(school)
    except NoCalendar:
        context["problem"] = f"{school} has no term dates in Onroll, so no school day can be counted."
        return render(request, "web/whatif.html", context)
    packs = newest_packs()
    if not packs:
        context["problem"] = "No procedure packs are loaded yet, so there is no procedure to lay out."
        return render(request, "web/whatif.html", context)

    pack_choices = []
    for pack_id, version in packs.items():
        whose = whose_pack(pack_id, school)
        pack_choices.append((pack_id, f"{version.name} ({whose})" if whose else version.name))
    initial = _initial(child, school, school_days, packs)
    if "scenario" in request.GET:
        form = WhatIfForm(request.GET, pack_choices=pack_choices, initial=initial)
        if not form.is_valid():
            context["form"] = form
            return render(request, "web/whatif.html", context)
        data = form.cleaned_data
    else:
        form = WhatIfForm(pack_choices=pack_choices, initial=initial)
        data = initial
    context["form"] = form

    scenario = whatif.Scenario(
        kind=data["scenario"],
        start=data["start"],
        leave_days=(data["leave_days"] or 0) if data["scenario"] == whatif.LEAVE else 0,
        child_protection_plan=data["child_protection_plan"],
        safeguarding_concern=data["safeguarding_concern"],
    )
    context["scenario"] = scenario
    chosen = [packs[p] for p in dict.fromkeys([data["pack_a"], data["pack_b"]]) if p]
    context["same_pack"] = data["pack_b"] == data["pack_a"]
    context["one_pack"] = len(chosen) < 2
    try:
        simulation = whatif.simulate(
            school_days, whatif.actual_register(child, school, scenario.start), scenario, code_index()
        )
    except whatif.OutsideCalendar as exc:
        context["problem"] = (
            f"{exc}. Onroll cannot count school days there; choose a date inside the term dates "
            f"or add the missing year's terms."
        )
        return render(request, "web/whatif.html", context)

    timelines = [whatif.timeline(v.pack_id, v.name, v.version, v.content, simulation) for v in chosen]
    run_pack = school.procedure_pack or school.la.procedure_pack
    context.update(
        simulation=simulation,
        day_one=simulation.days[simulation.start],
        columns=[
            {"timeline": t, "whose": whose_pack(t.pack_id, school), "used_by_run": t.pack_id == run_pack}
            for t in timelines
        ],
        rows=whatif.rows(timelines, simulation),
        disagreements=whatif.disagreements(timelines, simulation),
        not_csa=not child.is_compulsory_school_age(simulation.days[simulation.start]),
    )
    return render(request, "web/whatif.html", context)
