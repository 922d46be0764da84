"""Each seed's procedure pack driven through its whole procedure on a synthetic child.

For every pack in procedure_packs/ a child is on the roll of a school that uses it (the LA's pack, or the
school's own), the register drives the pack's triggers, `daily_run` runs on the school days that matter (and,
for Achieving for Children, on every school day of the scenario), and the responsible role marks steps done
with `complete_task` when the pack says they are due. Each test states what opens, on which school day,
for whom, when it is due, what is escalated to whom, and that the procedure stands down when the child
returns. Term dates are the demo calendar's (onroll/demo/calendars.py): autumn half term 27-31 October 2025,
Christmas 20 December 2025 to 4 January 2026, spring half term 16-20 February, Easter 28 March to 12 April
(Good Friday 3 April and Easter Monday 6 April 2026 fall inside it), the early May bank holiday Monday
4 May 2026, and the May half term 25-29 May (with the spring bank holiday on the 25th).
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from onroll.procedures.models import Procedure, StandDown, Task, TaskStatus
from onroll.procedures.run import daily_run
from onroll.procedures.services import complete_task, load_packs
from onroll.schools.calendar import school_days_in
from onroll.schools.queries import calendar_for

from . import factories as f
from .test_child_attendance import add_marks

D = dt.date
PRESENT = ("/", "\\")
AFC = "achieving-for-children"


@pytest.fixture
def seeds(world):
    """Northmere on the demo term dates, every pack loaded; no pack chosen yet."""
    from onroll.demo.calendars import create_default_calendar

    load_packs()
    create_default_calendar(world.la)
    return world


def use_la_pack(world, pack_id):
    world.la.procedure_pack = pack_id
    world.la.save()


def use_school_pack(school, pack_id):
    school.procedure_pack = pack_id
    school.save()


def register(child, school, until, absences):
    """Marks for every school day from the start of the year to `until`: present, except the school days in
    each (first, last, code) of `absences`, marked `code` in both sessions. Returns the school days."""
    days = school_days_in(calendar_for(school), D(2025, 9, 1), until)
    codes = []
    for day in days:
        code = next((c for first, last, c in absences if first <= day <= last), None)
        codes.append((code, code) if code else PRESENT)
    add_marks(child, school, days, codes)
    return days


def school_days(school, first, last):
    return school_days_in(calendar_for(school), first, last)


def new_child(world, school, name):
    child = f.ChildFactory(la=world.la, legal_first_name=name, date_of_birth=D(2016, 5, 2))
    f.EnrolmentFactory(child=child, school=school)
    return child


def tasks(child):
    return {t.step_id: t for t in Task.objects.filter(procedure__child=child)}


def procedure_of(child):
    return Procedure.objects.select_related("pack_version").get(child=child)


def shape(task):
    """What a task says: the day it opened, its due day, who does it, who it goes to, and its escalation."""
    return SimpleNamespace(
        opened=task.opened_on,
        due=task.due_on,
        role=task.role,
        to=task.to_role,
        escalate_on=task.escalate_on,
        escalate_to=task.escalate_to,
    )


def expect(task, opened, due, role, to="", escalate_on=None, escalate_to=""):
    assert shape(task) == SimpleNamespace(
        opened=opened, due=due, role=role, to=to, escalate_on=escalate_on, escalate_to=escalate_to
    ), task.step_id


def done(user, child, step_id, on, evidence="Done as the procedure says"):
    """The responsible user marks a step done on `on` (also today); returns the step ids it opened."""
    opened = complete_task(user, tasks(child)[step_id], on, evidence, today=on)
    return {t.step_id for t in opened}


# --- Achieving for Children (seed 001, section 6) -------------------------------------------------------


def test_afc_every_school_day_across_the_october_half_term(seeds):
    """Absent (N) from Wednesday 22 October 2025, through half term, to Wednesday 26 November; back on the
    27th. The run happens on every school day from Monday 20 October to Thursday 27 November."""
    world, users = seeds, seeds.users
    use_la_pack(world, AFC)
    child, school = world.child, world.school
    register(child, school, D(2025, 11, 27), [(D(2025, 10, 22), D(2025, 11, 26), "N")])

    run_days = school_days(school, D(2025, 10, 20), D(2025, 11, 27))
    assert D(2025, 10, 24) in run_days and D(2025, 11, 3) in run_days
    assert not any(D(2025, 10, 27) <= day <= D(2025, 10, 31) for day in run_days)  # no run in half term

    first_seen = {}  # step id -> the run (school day) on which its task first existed
    snapshots = {}
    for day in run_days:
        daily_run(day)
        # What each role does on the day, as the pack says.
        if day == D(2025, 11, 4):
            # School day 5 of the absence (22, 23, 24 October, 3 and 4 November): first day calls end and
            # the school refers to SPA, both due today.
            assert done(users.school_dsl, child, "first_day_calls", day, "Calls 22 Oct to 4 Nov") == set()
            assert done(users.school_dsl, child, "refer_to_spa", day, "SPA ref 4411") == {
                "spa_record_and_refer",
                "ews_enquiries",
            }
        if day == D(2025, 11, 5):
            assert done(users.spa_officer, child, "spa_record_and_refer", day, "Record created") == set()
        for step_id in tasks(child):
            first_seen.setdefault(step_id, day)
        snapshots[day] = {k: (t.status, t.escalated_on) for k, t in tasks(child).items()}
        if day < D(2025, 10, 22):
            assert not Procedure.objects.filter(child=child).exists()

    procedure = procedure_of(child)
    assert procedure.pack_version.pack_id == AFC and procedure.pack_version.version == 2
    assert procedure.opened_on == D(2025, 10, 22)
    assert procedure.case == world.case
    assert procedure.first_held == {
        "absent_unexplained": "2025-10-22",
        "absent_5_days": "2025-11-04",
        "absent_20_days": "2025-11-25",
    }  # never "safety_concern": she has no plan and no concern is recorded

    # What opened on which school day, and for whom.
    assert first_seen == {
        "first_day_calls": D(2025, 10, 22),
        "refer_to_spa": D(2025, 11, 4),
        "spa_record_and_refer": D(2025, 11, 4),  # opened by the school's referral, before the next run
        "ews_enquiries": D(2025, 11, 4),
        "permission_to_remove": D(2025, 11, 25),
    }
    found = tasks(child)
    # Four school days after Wednesday 22 October: 23, 24 October, then 3 and 4 November after half term.
    expect(found["first_day_calls"], D(2025, 10, 22), D(2025, 11, 4), "school_lead")
    expect(found["refer_to_spa"], D(2025, 11, 4), D(2025, 11, 4), "school_lead", "spa_officer")
    expect(found["spa_record_and_refer"], D(2025, 11, 4), None, "spa_officer", "cme_officer")
    # 15 school days after 4 November: 25 November; overdue (and told to the ROME panel chair) the 26th.
    expect(
        found["ews_enquiries"],
        D(2025, 11, 4),
        D(2025, 11, 25),
        "cme_officer",
        escalate_on=D(2025, 11, 26),
        escalate_to="panel_chair",
    )
    # Day 20 of the absence: 25 November (3 days before half term, 17 after).
    expect(found["permission_to_remove"], D(2025, 11, 25), D(2025, 11, 25), "cme_officer", "school_lead")

    # The escalation falls on the first overdue school day, not before.
    assert snapshots[D(2025, 11, 25)]["ews_enquiries"] == (TaskStatus.OPEN, None)
    assert snapshots[D(2025, 11, 26)]["ews_enquiries"] == (TaskStatus.OPEN, D(2025, 11, 26))
    assert all(v[1] is None for k, v in snapshots[D(2025, 11, 26)].items() if k != "ews_enquiries")

    # Back on Thursday 27 November: stood down that day; what was open is no longer needed.
    assert procedure.stood_down_on == D(2025, 11, 27)
    assert procedure.stand_down_reason == StandDown.ATTENDED
    assert {k: t.status for k, t in found.items()} == {
        "first_day_calls": TaskStatus.DONE,
        "refer_to_spa": TaskStatus.DONE,
        "spa_record_and_refer": TaskStatus.DONE,
        "ews_enquiries": TaskStatus.STOOD_DOWN,
        "permission_to_remove": TaskStatus.STOOD_DOWN,
    }
    assert (
        found["refer_to_spa"].done_by == users.school_dsl and found["refer_to_spa"].evidence == "SPA ref 4411"
    )


def test_afc_running_only_on_the_days_that_matter_gives_the_same_dates(seeds):
    """The run catches up from the register: run on 4 and 26 November only, the dates are the same."""
    world, users = seeds, seeds.users
    use_la_pack(world, AFC)
    child = world.child
    register(child, world.school, D(2025, 11, 26), [(D(2025, 10, 22), D(2025, 11, 26), "G")])
    daily_run(D(2025, 11, 4))
    assert procedure_of(child).opened_on == D(2025, 10, 22)
    done(users.school_dsl, child, "refer_to_spa", D(2025, 11, 4))
    daily_run(D(2025, 11, 26))
    found = tasks(child)
    expect(found["first_day_calls"], D(2025, 10, 22), D(2025, 11, 4), "school_lead")
    assert found["ews_enquiries"].due_on == D(2025, 11, 25)
    assert found["ews_enquiries"].escalated_on == D(2025, 11, 26)
    assert found["permission_to_remove"].opened_on == D(2025, 11, 25)


def test_afc_a_child_protection_plan_alone_does_not_start_the_procedure(seeds):
    """Version 2: the safety concern counts while the child is absent without explanation (section 6,
    "Days 1 to 5: When a child is absent without any explanation ... contact SPA immediately")."""
    world, users = seeds, seeds.users
    use_la_pack(world, AFC)
    child = world.child
    child.child_protection_plan = True
    child.save()
    register(child, world.school, D(2025, 12, 10), [(D(2025, 12, 8), D(2025, 12, 9), "O")])

    daily_run(D(2025, 12, 5))  # on a plan, in school every day
    assert not Procedure.objects.filter(child=child).exists()

    daily_run(D(2025, 12, 8))  # first day absent (O): SPA at once, and first day calling
    procedure = procedure_of(child)
    assert procedure.opened_on == D(2025, 12, 8)
    assert procedure.first_held == {"absent_unexplained": "2025-12-08", "safety_concern": "2025-12-08"}
    found = tasks(child)
    assert set(found) == {"first_day_calls", "contact_spa_safety"}
    expect(found["contact_spa_safety"], D(2025, 12, 8), D(2025, 12, 8), "school_lead", "spa_officer")
    expect(found["first_day_calls"], D(2025, 12, 8), D(2025, 12, 12), "school_lead")
    assert done(users.school_dsl, child, "contact_spa_safety", D(2025, 12, 8), "Rang SPA 9:10") == set()

    daily_run(D(2025, 12, 9))
    daily_run(D(2025, 12, 10))  # back in school, still on the plan: stood down
    procedure.refresh_from_db()
    assert procedure.stood_down_on == D(2025, 12, 10)
    assert procedure.stand_down_reason == StandDown.ATTENDED
    assert tasks(child)["first_day_calls"].status == TaskStatus.STOOD_DOWN


# --- Portsmouth (seed 003, sections 1 and 2.3 to 2.6) --------------------------------------------------


def test_portsmouth_not_back_ten_school_days_after_leave_around_the_may_bank_holiday(seeds):
    """Agreed leave (C) Monday 20 to Friday 24 April 2026, then absent (N) from Monday 27 April. The tenth
    school day after the leave is Monday 11 May, not Friday 8 May: Monday 4 May is a bank holiday."""
    world, users = seeds, seeds.users
    use_la_pack(world, "portsmouth")
    child = new_child(world, world.school, "Priya")  # no case yet: the run opens an at-risk case
    register(
        child,
        world.school,
        D(2026, 5, 12),
        [(D(2026, 4, 20), D(2026, 4, 24), "C"), (D(2026, 4, 27), D(2026, 5, 11), "N")],
    )
    assert D(2026, 5, 4) not in school_days(world.school, D(2026, 4, 27), D(2026, 5, 11))

    daily_run(D(2026, 4, 24))  # on agreed leave: nothing
    assert not Procedure.objects.filter(child=child).exists()

    daily_run(D(2026, 4, 27))  # first day not back, no explanation: the school's contact attempts
    procedure = procedure_of(child)
    assert procedure.opened_on == D(2026, 4, 27) and procedure.pack_version.pack_id == "portsmouth"
    assert procedure.case.date_identified == D(2026, 4, 27)
    expect(tasks(child)["contact_parents"], D(2026, 4, 27), None, "school_lead")

    daily_run(D(2026, 5, 8))  # nine school days after the leave: no referral yet
    assert set(tasks(child)) == {"contact_parents"}

    daily_run(D(2026, 5, 11))
    found = tasks(child)
    assert set(found) == {"contact_parents", "refer_to_sat_after_leave"}
    expect(found["refer_to_sat_after_leave"], D(2026, 5, 11), D(2026, 5, 11), "school_lead", "cme_officer")
    assert procedure_of(child).first_held == {
        "absent_unexplained": "2026-04-27",
        "leave_not_returned_10_days": "2026-05-11",
    }
    done(users.school_dsl, child, "refer_to_sat_after_leave", D(2026, 5, 11), "Online CME referral")

    daily_run(D(2026, 5, 12))  # back in school
    procedure = procedure_of(child)
    assert procedure.stood_down_on == D(2026, 5, 12)
    assert procedure.stand_down_reason == StandDown.ATTENDED
    assert tasks(child)["contact_parents"].status == TaskStatus.STOOD_DOWN


def test_portsmouth_a_referral_after_leave_starts_the_cme_officers_enquiries(seeds):
    world, users = seeds, seeds.users
    use_la_pack(world, "portsmouth")
    child = world.child
    register(
        child,
        world.school,
        D(2026, 5, 11),
        [(D(2026, 4, 20), D(2026, 4, 24), "C"), (D(2026, 4, 27), D(2026, 5, 11), "N")],
    )
    daily_run(D(2026, 5, 11))
    opened = done(users.school_dsl, child, "refer_to_sat_after_leave", D(2026, 5, 11), "Online referral")
    assert any(tasks(child)[step].role == "cme_officer" for step in opened)


def test_portsmouth_child_protection_plan_and_twenty_days_across_christmas(seeds):
    """On a child protection plan and absent (N) from Monday 1 December 2025: MASH/SAT at once; the 20th
    consecutive school day is Friday 9 January 2026 (15 before Christmas, 5 after)."""
    world, users = seeds, seeds.users
    use_la_pack(world, "portsmouth")
    child = world.child
    child.child_protection_plan = True
    child.save()
    register(child, world.school, D(2026, 1, 19), [(D(2025, 12, 1), D(2026, 1, 16), "N")])

    daily_run(D(2025, 12, 1))
    procedure = procedure_of(child)
    assert procedure.opened_on == D(2025, 12, 1)
    found = tasks(child)
    assert set(found) == {"contact_parents", "contact_mash_sat"}
    expect(found["contact_mash_sat"], D(2025, 12, 1), D(2025, 12, 1), "school_lead", "partner")
    expect(found["contact_parents"], D(2025, 12, 1), None, "school_lead")
    done(users.school_dsl, child, "contact_mash_sat", D(2025, 12, 1), "Rang MASH, emailed MASH and SAT")

    daily_run(D(2025, 12, 19))  # last day of term: 15 school days
    assert "refer_to_sat" not in tasks(child)

    daily_run(D(2026, 1, 9))
    found = tasks(child)
    expect(found["refer_to_sat"], D(2026, 1, 9), D(2026, 1, 9), "school_lead", "cme_officer")
    assert done(users.school_dsl, child, "refer_to_sat", D(2026, 1, 9), "Online CME referral") == {
        "joint_enquiries"
    }
    # The pack escalates the enquiries to the SAT Team Leader (panel_chair), but the guidance sets no
    # timescale, so there is no due date and the escalation never falls.
    expect(tasks(child)["joint_enquiries"], D(2026, 1, 9), None, "cme_officer", escalate_to="panel_chair")

    daily_run(D(2026, 1, 16))
    assert done(users.cme_officer, child, "joint_enquiries", D(2026, 1, 16), "Home visit, Health") == {
        "written_outcome"
    }
    expect(tasks(child)["written_outcome"], D(2026, 1, 16), None, "cme_officer", "school_lead")
    assert procedure_of(child).first_held == {
        "absent_unexplained": "2025-12-01",
        "safeguarding_or_cp_plan": "2025-12-01",
        "absent_20_days": "2026-01-09",
    }

    daily_run(D(2026, 1, 19))  # back on Monday 19 January
    procedure = procedure_of(child)
    assert procedure.stood_down_on == D(2026, 1, 19)
    assert procedure.stand_down_reason == StandDown.ATTENDED
    assert tasks(child)["written_outcome"].status == TaskStatus.STOOD_DOWN
    assert not Task.objects.filter(escalated_on__isnull=False).exists()


# --- Hampshire (seed 004, "Tracking and monitoring") ---------------------------------------------------


def hampshire_absence(world):
    """Absent (O) from Monday 2 February to Friday 13 March 2026, across the spring half term (16-20
    February); back on Monday 16 March."""
    use_la_pack(world, "hampshire")
    register(world.child, world.school, D(2026, 3, 16), [(D(2026, 2, 2), D(2026, 3, 13), "O")])


def test_hampshire_twenty_days_across_the_spring_half_term_and_parents_not_engaging(seeds):
    world, users = seeds, seeds.users
    hampshire_absence(world)
    child = world.child

    daily_run(D(2026, 2, 2))  # investigate from the first day of absence
    procedure = procedure_of(child)
    assert procedure.opened_on == D(2026, 2, 2) and procedure.pack_version.pack_id == "hampshire"
    expect(tasks(child)["school_investigates"], D(2026, 2, 2), None, "school_lead")

    daily_run(D(2026, 2, 27))  # 15 school days (and 30 sessions): not yet
    assert set(tasks(child)) == {"school_investigates"}

    # 2-6, 9-13, 23-27 February and 2-6 March: the 20th day (and 40th session) is Friday 6 March.
    daily_run(D(2026, 3, 6))
    expect(tasks(child)["refer_pmooe"], D(2026, 3, 6), None, "school_lead", "cme_officer")
    assert done(users.school_dsl, child, "refer_pmooe", D(2026, 3, 9), "PMOOE form") == {"joint_enquiries"}
    expect(tasks(child)["joint_enquiries"], D(2026, 3, 9), None, "cme_officer")

    # The CME officer records that the parents are not engaging; the run sees it the next day it runs.
    world.case.parents_not_engaging = True
    world.case.save()
    daily_run(D(2026, 3, 10))
    expect(tasks(child)["refer_to_lit"], D(2026, 3, 10), None, "cme_officer", "partner")
    assert procedure_of(child).first_held == {
        "absent_first_day": "2026-02-02",
        "absent_20_days_or_40_sessions": "2026-03-06",
        "parents_not_engaging": "2026-03-10",
    }
    assert done(users.cme_officer, child, "refer_to_lit", D(2026, 3, 10), "LIT referral") == set()
    assert not Task.objects.filter(escalate_on__isnull=False).exists()  # the policy names no escalation


def test_hampshire_stands_down_when_the_child_returns(seeds):
    world = seeds
    hampshire_absence(world)
    world.case.parents_not_engaging = True
    world.case.save()
    daily_run(D(2026, 3, 13))
    daily_run(D(2026, 3, 16))  # back in school
    assert procedure_of(world.child).stood_down_on == D(2026, 3, 16)


def test_hampshire_forty_sessions_of_illness_then_attending_is_not_missing_education(seeds):
    world = seeds
    use_la_pack(world, "hampshire")
    # 20 school days ill (I) in September and October, then in school every day.
    register(world.child, world.school, D(2025, 11, 14), [(D(2025, 9, 15), D(2025, 10, 10), "I")])
    daily_run(D(2025, 11, 14))
    assert not Procedure.objects.filter(child=world.child).exists()


# --- All Saints' Catholic Primary School (seed 002, section 5): the school's own pack --------------------


def test_all_saints_ten_days_across_easter_with_the_school_pack_over_the_las(seeds):
    """Absent (N) from Wednesday 18 March 2026. The tenth consecutive school day is Tuesday 14 April: 18-20
    and 23-27 March, then 13 and 14 April after the Easter holiday. Hillside runs All Saints' pack; the LA's
    pack (Achieving for Children) still runs at Riverside, where Ben has the same absence."""
    world, users = seeds, seeds.users
    use_la_pack(world, AFC)
    use_school_pack(world.school, "all-saints-catholic-primary")
    child = world.child
    ben = new_child(world, world.other_school, "Ben")
    absence = [(D(2026, 3, 18), D(2026, 4, 15), "N")]
    register(child, world.school, D(2026, 4, 16), absence)
    register(ben, world.other_school, D(2026, 4, 16), absence)

    daily_run(D(2026, 3, 27))  # last day of the spring term: 8 days
    assert not Procedure.objects.filter(child=child).exists()
    assert procedure_of(ben).pack_version.pack_id == AFC  # the LA's pack: five days was 24 March
    assert tasks(ben)["refer_to_spa"].opened_on == D(2026, 3, 24)

    daily_run(D(2026, 4, 13))
    assert not Procedure.objects.filter(child=child).exists()

    daily_run(D(2026, 4, 14))
    procedure = procedure_of(child)
    assert procedure.pack_version.pack_id == "all-saints-catholic-primary"
    assert procedure.opened_on == D(2026, 4, 14)  # the pack's only trigger first held on day 10
    found = tasks(child)
    assert set(found) == {"contact_family", "check_other_schools"}
    expect(found["contact_family"], D(2026, 4, 14), None, "school_lead")
    expect(found["check_other_schools"], D(2026, 4, 14), None, "school_lead")

    assert done(users.school_dsl, child, "contact_family", D(2026, 4, 15), "Phoned, emailed") == {
        "decide_inform_la"
    }
    expect(tasks(child)["decide_inform_la"], D(2026, 4, 15), None, "school_lead", "cme_officer")
    daily_run(D(2026, 4, 15))

    daily_run(D(2026, 4, 16))  # back on Thursday 16 April
    procedure.refresh_from_db()
    assert procedure.stood_down_on == D(2026, 4, 16)
    assert procedure.stand_down_reason == StandDown.ATTENDED
    statuses = {k: t.status for k, t in tasks(child).items()}
    assert statuses == {
        "contact_family": TaskStatus.DONE,
        "check_other_schools": TaskStatus.STOOD_DOWN,
        "decide_inform_la": TaskStatus.STOOD_DOWN,
    }
    assert procedure_of(ben).stood_down_on == D(2026, 4, 16)


# --- Hillsgrove Primary School, Derbyshire (seed 000, sections 5, 10, 12, 13): the school's own pack ----


def test_hillsgrove_four_weeks_across_the_may_bank_holidays(seeds):
    """Absent (G) from Monday 27 April 2026. "Four weeks or more" is 20 school days: with the bank holiday
    on 4 May and the May half term (25-29 May) that is Monday 1 June, not four calendar weeks on 25 May."""
    world, users = seeds, seeds.users
    use_school_pack(world.school, "derbyshire-hillsgrove-primary")  # the LA has chosen no pack
    child = world.child
    register(child, world.school, D(2026, 6, 4), [(D(2026, 4, 27), D(2026, 6, 3), "G")])

    daily_run(D(2026, 5, 22))  # 19 school days
    assert not Procedure.objects.filter(child=child).exists()

    daily_run(D(2026, 6, 1))
    procedure = procedure_of(child)
    assert procedure.pack_version.pack_id == "derbyshire-hillsgrove-primary"
    assert procedure.opened_on == D(2026, 6, 1)
    expect(tasks(child)["school_enquiries"], D(2026, 6, 1), None, "school_lead")

    assert done(users.school_dsl, child, "school_enquiries", D(2026, 6, 2), "Calls, visit, S2S") == {
        "inform_la"
    }
    # The pack escalates an unreported child to the CME officer (and the LA's investigation to the panel),
    # but the policy sets no timescale, so nothing falls due and no escalation ever falls.
    expect(
        tasks(child)["inform_la"],
        D(2026, 6, 2),
        None,
        "school_lead",
        "cme_officer",
        escalate_to="cme_officer",
    )
    daily_run(D(2026, 6, 2))
    assert done(users.school_dsl, child, "inform_la", D(2026, 6, 3), "Call Derbyshire ref 77") == {
        "la_investigation"
    }
    expect(tasks(child)["la_investigation"], D(2026, 6, 3), None, "cme_officer", escalate_to="panel_chair")
    daily_run(D(2026, 6, 3))
    assert tasks(child)["la_investigation"].escalated_on is None

    daily_run(D(2026, 6, 4))  # back on Thursday 4 June
    procedure.refresh_from_db()
    assert procedure.stood_down_on == D(2026, 6, 4)
    assert procedure.stand_down_reason == StandDown.ATTENDED
    assert tasks(child)["la_investigation"].status == TaskStatus.STOOD_DOWN


def test_every_pack_has_a_scenario_here():
    """Each pack file in procedure_packs/ is driven by one of the tests above."""
    from onroll.procedures.packs import read_pack_dir
    from onroll.procedures.services import PACK_DIR

    covered = {AFC, "portsmouth", "hampshire", "all-saints-catholic-primary", "derbyshire-hillsgrove-primary"}
    assert {p.id for p in read_pack_dir(PACK_DIR)} == covered
