"""The daily run asks the CME officer to review each open case of a child past compulsory school age."""

import datetime as dt

from onroll.accounts.models import Role
from onroll.casework.models import Category
from onroll.procedures.models import Task
from onroll.procedures.past_csa import STEP_ID
from onroll.procedures.run import daily_run

from . import factories as f

ON = dt.date(2026, 7, 6)  # the Monday after the last Friday in June 2026


def _case(world, dob, **kw):
    kw.setdefault("date_identified", dt.date(2026, 1, 5))
    return f.CaseFactory(child=f.ChildFactory(la=world.la, date_of_birth=dob), la=world.la, **kw)


def test_a_case_of_a_child_past_compulsory_school_age_gets_one_review_task(world):
    left = _case(world, dt.date(2010, 8, 31))  # Year 11 ended on Friday 26 June 2026, before turning 16
    still_of_age = _case(world, dt.date(2010, 9, 1))  # in Year 10: a year to go
    closed = _case(
        world,
        dt.date(2009, 5, 1),
        category=Category.CLOSED,
        date_closed=dt.date(2026, 6, 1),
        outcome="moved_la",
    )
    report = daily_run(ON, la=world.la)
    task = Task.objects.get(step_id=STEP_ID)
    assert task.case == left and task.role == Role.CME_OFFICER and task.escalate_to == Role.PANEL_CHAIR
    assert "26 June 2026" in task.title and left.reference in task.title
    assert task.due_on > ON and task.escalate_on > task.due_on and report.tasks_opened >= 1
    assert not Task.objects.filter(case__in=[still_of_age, closed]).exists()


def test_running_again_opens_no_second_task_even_after_the_first_is_done(world):
    _case(world, dt.date(2010, 3, 1))
    daily_run(ON, la=world.la)
    Task.objects.filter(step_id=STEP_ID).update(status="done", done_on=ON)
    daily_run(ON + dt.timedelta(days=1), la=world.la)
    assert Task.objects.filter(step_id=STEP_ID).count() == 1


def test_the_last_day_of_compulsory_school_age_is_still_of_age(world):
    _case(world, dt.date(2010, 8, 31))
    daily_run(dt.date(2026, 6, 26), la=world.la)
    assert not Task.objects.filter(step_id=STEP_ID).exists()
