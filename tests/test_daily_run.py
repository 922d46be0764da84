"""The daily run: procedures open, advance, escalate and stand down by themselves, idempotently."""

import datetime as dt

import pytest

from onroll.audit.models import AuditEvent
from onroll.casework.models import Case, Category
from onroll.procedures.models import Procedure, StandDown, Task, TaskStatus
from onroll.procedures.run import daily_run
from onroll.schools.calendar import school_days_in
from onroll.schools.queries import calendar_for

from . import factories as f
from .browser_support import lift_audit_triggers_for_flush, restore_audit_triggers
from .test_child_attendance import add_marks

D = dt.date


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


def test_the_command_reports_what_it_did(afc, capsys):
    from django.core.management import call_command

    register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    call_command("daily_run", "--date", "2025-10-10")
    out = capsys.readouterr().out
    assert "1 procedures started" in out and "2 tasks opened" in out


@pytest.fixture
def outside_a_transaction(transactional_db):
    """The worker closes database connections between tasks, so its test cannot run inside a transaction;
    the flush afterwards must get past SQLite's append-only audit triggers."""
    restore_audit_triggers()
    yield
    lift_audit_triggers_for_flush()


def test_the_worker_runs_the_scheduled_task_and_queues_the_next(outside_a_transaction, afc):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from onroll.procedures.tasks import TASK_PATH, run_daily_procedures, schedule_next_run

    register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    run_daily_procedures.enqueue("2025-10-10")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Procedure.objects.filter(child=afc.child).exists()
    waiting = DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY")
    assert waiting.count() == 1  # tomorrow's run, queued by the run itself
    duplicates = DBTaskResult.objects.filter(task_path="onroll.matching.tasks.find_duplicates_task")
    assert sorted(duplicates.values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]  # both LAs
    schedule_next_run()
    assert waiting.count() == 1  # scheduling again does not duplicate it


def test_my_tasks_shows_the_school_its_overdue_tasks_and_marking_done_opens_the_next(afc, login, monkeypatch):
    monkeypatch.setattr("onroll.web.views.tasks.today", lambda: D(2025, 10, 13))
    register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    daily_run(D(2025, 10, 10))
    client = login(afc.users.school_dsl)
    page = client.get("/my-tasks/").content.decode()
    assert "Complete a referral to SPA" in page and "Overdue" in page
    task = Task.objects.get(step_id="refer_to_spa")
    response = client.post(
        f"/tasks/{task.pk}/",
        {"done_on_0": "13", "done_on_1": "10", "done_on_2": "2025", "evidence": "SPA ref 123"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_by == afc.users.school_dsl
    found = tasks(afc.child)
    assert found["spa_record_and_refer"].role == "spa_officer"
    # 15 school days after Monday 13 October: 9 before half term (27-31 October), 6 after
    assert found["ews_enquiries"].due_on == D(2025, 11, 10)
    spa_page = login(afc.users.spa_officer).get("/my-tasks/").content.decode()
    assert "Check whether the child is known" in spa_page


def test_marking_done_needs_evidence_and_a_sensible_date(afc, login, monkeypatch):
    monkeypatch.setattr("onroll.web.views.tasks.today", lambda: D(2025, 10, 13))
    register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    daily_run(D(2025, 10, 10))
    task = Task.objects.get(step_id="refer_to_spa")
    page = login(afc.users.school_dsl).post(
        f"/tasks/{task.pk}/", {"done_on_0": "1", "done_on_1": "1", "done_on_2": "2026", "evidence": ""}
    )
    text = page.content.decode()
    assert "There is a problem" in text and "Enter what was done" in text
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_a_task_of_another_school_or_role_is_not_found(afc, login):
    register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    daily_run(D(2025, 10, 10))
    task = Task.objects.get(step_id="refer_to_spa")
    assert login(afc.users.other_school_dsl).get(f"/tasks/{task.pk}/").status_code == 404
    assert login(afc.users.other_la_officer).get(f"/tasks/{task.pk}/").status_code == 404
    # An LA officer may look at it but not mark the school's task done.
    page = login(afc.users.cme_officer).get(f"/tasks/{task.pk}/").content.decode()
    assert "Mark as done" not in page
    assert login(afc.users.cme_officer).post(f"/tasks/{task.pk}/", {}).status_code == 404


def test_the_case_page_shows_the_procedure_and_its_steps(afc, login):
    register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    daily_run(D(2025, 10, 10))
    page = login(afc.users.cme_officer).get(f"/cases/{afc.case.pk}/").content.decode()
    assert "Achieving for Children children missing education procedure" in page
    assert "Complete a referral to SPA" in page and "Version 2" in page


def test_the_admin_offers_the_loaded_packs_for_an_la(afc, client):
    client.force_login(afc.users.system_admin)
    page = client.get(f"/admin/schools/localauthority/{afc.la.pk}/change/").content.decode()
    assert (
        '<option value="portsmouth">' in page and '<option value="achieving-for-children" selected>' in page
    )


def test_leaving_the_roll_stands_down_but_a_school_without_marks_yet_does_not(afc):
    register(afc.child, afc.school, D(2025, 10, 10), absent_days=5)
    daily_run(D(2025, 10, 10))
    daily_run(D(2026, 9, 3))  # a new school year: no marks yet, she is still on roll
    assert Procedure.objects.get(child=afc.child).is_running
    afc.child.enrolments.update(leaving_date=D(2026, 9, 3), status="left")
    daily_run(D(2026, 9, 4))
    procedure = Procedure.objects.get(child=afc.child)
    assert procedure.stand_down_reason == StandDown.REMOVED and procedure.stood_down_on == D(2026, 9, 4)
