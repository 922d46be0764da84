"""The 15-school-day "Send the CTF" task a deletion from roll opens for the school."""

import datetime as dt

from onroll.accounts.models import Role
from onroll.procedures.models import Task, TaskStatus
from onroll.procedures.queries import my_tasks
from onroll.procedures.run import daily_run
from onroll.transfers.services import open_ctf_deadline

D = dt.date


def test_the_ctf_task_is_due_15_school_days_after_leaving_skipping_half_term(afc):
    enrolment = afc.child.enrolments.get()
    # Left Friday 17 October 2025; half term is 27-31 October, so the 15th school day is Friday 14 November.
    task = open_ctf_deadline(afc.users.school_dsl, enrolment, afc.case, D(2025, 10, 17))
    assert (task.title, task.role, task.school) == ("Send the CTF", Role.SCHOOL_LEAD, afc.school)
    assert task.due_on == D(2025, 11, 14)
    assert (task.escalate_on, task.escalate_to) == (D(2025, 11, 17), Role.CME_OFFICER)
    assert open_ctf_deadline(afc.users.school_dsl, enrolment, afc.case, D(2025, 10, 17)) == task
    assert Task.objects.filter(case=afc.case).count() == 1
    assert my_tasks(afc.users.school_dsl, D(2025, 10, 20)).due == [task]
    assert my_tasks(afc.users.other_school_dsl, D(2025, 10, 20)).due == []


def test_an_overdue_ctf_task_is_escalated_to_the_cme_officer(afc):
    enrolment = afc.child.enrolments.get()
    task = open_ctf_deadline(afc.users.school_dsl, enrolment, afc.case, D(2025, 10, 17))
    daily_run(D(2025, 11, 14))
    task.refresh_from_db()
    assert task.escalated_on is None
    daily_run(D(2025, 11, 17))
    task.refresh_from_db()
    assert task.escalated_on == D(2025, 11, 17) and task.status == TaskStatus.OPEN
    assert my_tasks(afc.users.cme_officer, D(2025, 11, 17)).escalated == [task]


def test_without_term_dates_the_task_still_opens_and_says_why(world):
    enrolment = world.child.enrolments.get()
    task = open_ctf_deadline(world.users.school_dsl, enrolment, world.case, D(2025, 10, 17))
    assert task.due_on is None and task.escalate_on is None
    assert "15 school days after 17 October 2025" in task.due_note
