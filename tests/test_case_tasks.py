"""Tasks an event on a case calls for (no procedure): opened once, shown in My tasks, escalated, done."""

import datetime as dt

from onroll.accounts.models import Role
from onroll.procedures.models import Task, TaskStatus
from onroll.procedures.queries import my_tasks
from onroll.procedures.run import daily_run
from onroll.procedures.services import complete_task, open_case_task

D = dt.date


def open_ctf_task(world, school=None):
    return open_case_task(
        world.users.cme_officer,
        world.case,
        step_id="send_ctf",
        title="Send the CTF",
        role=Role.CME_OFFICER,
        opened_on=D(2025, 10, 1),
        due_on=D(2025, 10, 22),
        school=school,
        evidence_required="The CTF file name",
        escalate_on=D(2025, 10, 23),
        escalate_to=Role.PANEL_CHAIR,
    )


def test_a_case_task_opens_once_and_shows_in_my_tasks(world):
    task = open_ctf_task(world)
    assert open_ctf_task(world) == task
    assert Task.objects.filter(case=world.case).count() == 1
    mine = my_tasks(world.users.cme_officer, D(2025, 10, 2))
    assert mine.due == [task]
    assert my_tasks(world.users.school_dsl, D(2025, 10, 2)).due == []  # an LA task, no school


def test_the_daily_run_escalates_an_overdue_case_task_once(world):
    task = open_ctf_task(world)
    assert daily_run(D(2025, 10, 22)).escalated == 0
    assert daily_run(D(2025, 10, 24)).escalated == 1
    assert daily_run(D(2025, 10, 24)).escalated == 0
    task.refresh_from_db()
    assert task.escalated_on == D(2025, 10, 23)
    assert my_tasks(world.users.panel_chair, D(2025, 10, 24)).escalated == [task]


def test_a_case_task_is_marked_done_with_its_evidence(world):
    task = open_ctf_task(world, school=world.school)
    opened = complete_task(
        world.users.cme_officer, task, D(2025, 10, 3), "CTF 990_XXXXXXX", today=D(2025, 10, 3)
    )
    task.refresh_from_db()
    assert opened == [] and task.status == TaskStatus.DONE and task.evidence == "CTF 990_XXXXXXX"


def test_the_task_page_shows_a_case_task(world, login):
    task = open_ctf_task(world)
    client = login(world.users.cme_officer)
    page = client.get(f"/tasks/{task.pk}/")
    assert page.status_code == 200
    assert "Send the CTF" in page.content.decode() and "Procedure" not in page.content.decode()
