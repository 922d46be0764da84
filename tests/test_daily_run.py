"""The daily run: procedures open, advance, escalate and stand down by themselves, idempotently."""

import datetime as dt

import pytest

from onroll.audit.models import AuditEvent
from onroll.casework.models import Case, Category
from onroll.demo.calendars import create_default_calendar
from onroll.procedures.models import Procedure, StandDown, Task, TaskStatus
from onroll.procedures.run import daily_run
from onroll.procedures.services import load_packs
from onroll.schools.calendar import school_days_in
from onroll.schools.queries import calendar_for

from . import factories as f
from .test_child_attendance import add_marks

D = dt.date


@pytest.fixture
def afc(world):
    """Northmere runs Achieving for Children's procedure on its 2025/26 term dates."""
    load_packs()
    create_default_calendar(world.la)
    world.la.procedure_pack = "achieving-for-children"
    world.la.save()
    return world


def register(child, school, until: D, absent_days: int, code="N"):
    """Present from the start of term, then `absent_days` school days of `code` up to `until`."""
    days = school_days_in(calendar_for(school), D(2025, 9, 1), until)
    codes = [("/", "\\")] * (len(days) - absent_days) + [(code, code)] * absent_days
    add_marks(child, school, days, codes)
    return days


def tasks(child):
    return {t.step_id: t for t in Task.objects.filter(procedure__child=child)}


def test_five_days_absent_opens_the_procedure_on_the_first_day_with_due_tasks(afc):
    days = register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    report = daily_run(D(2025, 10, 10))
    procedure = Procedure.objects.get(child=afc.child)
    assert procedure.opened_on == days[-5] == D(2025, 10, 6)
    assert procedure.case == afc.case  # her open case, not a new one
    assert procedure.first_held["absent_5_days"] == "2025-10-10"
    found = tasks(afc.child)
    assert set(found) == {"first_day_calls", "refer_to_spa"}
    assert found["first_day_calls"].due_on == D(2025, 10, 10)
    assert found["refer_to_spa"].due_on == D(2025, 10, 10)
    assert found["refer_to_spa"].school == afc.school and found["refer_to_spa"].role == "school_lead"
    assert report.procedures_opened == 1 and report.tasks_opened == 2 and report.cases_opened == 0


def test_running_twice_on_a_day_changes_nothing(afc):
    register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    daily_run(D(2025, 10, 10))
    counts = (
        Procedure.objects.count(),
        Task.objects.count(),
        AuditEvent.objects.count(),
        Case.objects.count(),
    )
    report = daily_run(D(2025, 10, 10))
    assert (
        Procedure.objects.count(),
        Task.objects.count(),
        AuditEvent.objects.count(),
        Case.objects.count(),
    ) == counts
    assert (report.procedures_opened, report.tasks_opened, report.escalated, report.stood_down) == (
        0,
        0,
        0,
        0,
    )


def test_a_child_with_no_case_gets_an_at_risk_case(afc):
    child = f.ChildFactory(la=afc.la, legal_first_name="Ben", date_of_birth=D(2014, 1, 1))
    f.EnrolmentFactory(child=child, school=afc.school)
    register(child, afc.school, D(2025, 10, 10), absent_days=2, code="O")
    daily_run(D(2025, 10, 10))
    case = Case.objects.get(child=child)
    assert case.category == Category.AT_RISK and case.date_identified == D(2025, 10, 9)
    assert case.procedures.get().pack_version.pack_id == "achieving-for-children"


def test_returning_to_school_stands_the_procedure_down(afc):
    days = register(afc.child, afc.school, D(2025, 10, 10), absent_days=3)
    daily_run(D(2025, 10, 10))
    add_marks(afc.child, afc.school, [D(2025, 10, 13)], [("/", "\\")])
    daily_run(D(2025, 10, 13))
    procedure = Procedure.objects.get(child=afc.child)
    assert procedure.stood_down_on == D(2025, 10, 13)
    assert procedure.stand_down_reason == StandDown.ATTENDED
    assert {t.status for t in procedure.tasks.all()} == {TaskStatus.STOOD_DOWN}
    assert days


def test_a_day_without_marks_yet_is_not_a_return(afc):
    register(afc.child, afc.school, D(2025, 10, 10), absent_days=3)
    daily_run(D(2025, 10, 10))
    daily_run(D(2025, 10, 13))  # Monday's registers are not in yet
    assert Procedure.objects.get(child=afc.child).is_running


def test_twenty_days_opens_permission_and_escalates_overdue_enquiries(afc):
    register(afc.child, afc.school, D(2025, 11, 28), absent_days=25)
    daily_run(D(2025, 11, 28))
    found = tasks(afc.child)
    assert "permission_to_remove" in found
    assert found["permission_to_remove"].role == "cme_officer"


def test_children_below_compulsory_school_age_are_left_alone(afc):
    child = f.ChildFactory(la=afc.la, date_of_birth=D(2021, 6, 1))
    f.EnrolmentFactory(child=child, school=afc.school)
    register(child, afc.school, D(2025, 10, 10), absent_days=5)
    daily_run(D(2025, 10, 10))
    assert not Procedure.objects.filter(child=child).exists()
