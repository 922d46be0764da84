"""The what-if timeline: a child's procedure on the calendar under a scenario, two packs side by side."""

import datetime as dt

import numpy as np
import pytest

from onroll.attendance.matrix import code_index
from onroll.attendance.measures import all_measures
from onroll.audit.models import Action, AuditEvent
from onroll.procedures import whatif
from onroll.procedures.models import ProcedurePackVersion, Task
from onroll.procedures.run import daily_run
from onroll.procedures.services import load_packs
from onroll.schools.calendar import school_days_in
from onroll.schools.queries import calendar_for

from .test_child_attendance import add_marks

D = dt.date


def present_until(world, until: D, absent_days: int = 0, code: str = "N"):
    """Amara present from the start of term, then `absent_days` school days of `code`, up to `until`."""
    days = school_days_in(calendar_for(world.school), D(2025, 9, 1), until)
    codes = [("/", "\\")] * (len(days) - absent_days) + [(code, code)] * absent_days
    add_marks(world.child, world.school, days, codes)


def pack(pack_id: str) -> ProcedurePackVersion:
    return ProcedurePackVersion.objects.filter(pack_id=pack_id).order_by("-version").first()


def simulate(world, scenario: whatif.Scenario) -> whatif.Simulation:
    actual = whatif.actual_register(world.child, world.school, scenario.start)
    return whatif.simulate(calendar_for(world.school), actual, scenario, code_index())


def timeline_for(world, pack_id: str, scenario: whatif.Scenario):
    simulation = simulate(world, scenario)
    v = pack(pack_id)
    return whatif.timeline(v.pack_id, v.name, v.version, v.content, simulation), simulation


def steps(t: whatif.Timeline) -> dict:
    return {s.step_id: s for s in t.steps}


def test_achieving_for_children_refers_on_day_5_and_gives_permission_on_day_20(afc):
    present_until(afc, D(2025, 9, 5))
    t, sim = timeline_for(afc, "achieving-for-children", whatif.Scenario(whatif.ABSENT, D(2025, 9, 8)))
    assert t.opened_on == D(2025, 9, 8)
    planned = steps(t)
    refer = planned["refer_to_spa"]
    assert refer.due_on == D(2025, 9, 12) and sim.day_number(refer.due_on) == 5
    permission = planned["permission_to_remove"]
    assert permission.due_on == D(2025, 10, 3) and sim.day_number(permission.due_on) == 20
    assert planned["first_day_calls"].due_on == D(2025, 9, 12)
    # The EWS enquiries follow the referral (done on its due date) and are due 15 school days later.
    assert planned["ews_enquiries"].opens_on == D(2025, 9, 12)
    assert planned["ews_enquiries"].due_on == D(2025, 10, 3)
    assert planned["ews_enquiries"].escalate_on == D(2025, 10, 6)
    assert not planned["contact_spa_safety"].is_open  # no concern in this scenario
    assert sim.simulated_days == whatif.HORIZON_DAYS and not sim.truncated


def test_a_half_term_inside_the_window_moves_the_due_dates(afc):
    # Day 1 is Monday 13 October; half term is 27 to 31 October.
    present_until(afc, D(2025, 10, 10))
    t, sim = timeline_for(afc, "achieving-for-children", whatif.Scenario(whatif.ABSENT, D(2025, 10, 13)))
    planned = steps(t)
    assert planned["refer_to_spa"].due_on == D(2025, 10, 17)
    # 20 school days from 13 October skip the week of half term: 14 November, not 7 November.
    assert planned["permission_to_remove"].due_on == D(2025, 11, 14)
    assert sim.day_number(D(2025, 11, 14)) == 20
    assert planned["ews_enquiries"].due_on == D(2025, 11, 14)
    assert planned["ews_enquiries"].escalate_on == D(2025, 11, 17)
    half_term = [D(2025, 10, 27) + dt.timedelta(days=i) for i in range(5)]
    assert not {e.date for e in t.events} & set(half_term)
    assert sim.day_text(D(2025, 10, 28)) == "not a school day"


def test_portsmouth_refers_10_school_days_after_a_leave_ends(afc):
    present_until(afc, D(2025, 10, 3))
    scenario = whatif.Scenario(whatif.LEAVE, D(2025, 10, 6), leave_days=5)  # leave 6 to 10 October
    t, sim = timeline_for(afc, "portsmouth", scenario)
    assert sim.leave_ends_on == D(2025, 10, 10)
    assert t.first_held["leave_not_returned_10_days"] == D(2025, 10, 24)
    planned = steps(t)
    assert planned["refer_to_sat_after_leave"].due_on == D(2025, 10, 24)
    assert planned["contact_parents"].opens_on == D(2025, 10, 13)  # the first day not back
    # The 20-day referral counts the unexplained days only, and skips half term.
    assert planned["refer_to_sat"].due_on == D(2025, 11, 14)
    assert not planned["contact_mash_sat"].is_open
    # The horizon runs 40 school days after the leave.
    assert sim.simulated_days == 5 + whatif.HORIZON_DAYS


def test_a_child_protection_plan_brings_the_safeguarding_steps_forward(afc):
    present_until(afc, D(2025, 10, 3))
    scenario = whatif.Scenario(whatif.LEAVE, D(2025, 10, 6), leave_days=5, child_protection_plan=True)
    portsmouth, _ = timeline_for(afc, "portsmouth", scenario)
    assert steps(portsmouth)["contact_mash_sat"].due_on == D(2025, 10, 13)  # first missing day, not day 10
    absent = whatif.Scenario(whatif.ABSENT, D(2025, 10, 6), safeguarding_concern=True)
    afc_timeline, _ = timeline_for(afc, "achieving-for-children", absent)
    assert steps(afc_timeline)["contact_spa_safety"].due_on == D(2025, 10, 6)  # day 1, not day 5


def test_a_run_of_absence_before_day_1_carries_on(afc):
    # Absent (N) for the three school days before day 1: the procedure started then, as the run would have.
    present_until(afc, D(2025, 10, 8), absent_days=3)
    t, sim = timeline_for(afc, "achieving-for-children", whatif.Scenario(whatif.ABSENT, D(2025, 10, 9)))
    assert t.opened_on == D(2025, 10, 6)
    assert sim.day_text(D(2025, 10, 6)) == "before day 1"
    assert steps(t)["refer_to_spa"].due_on == D(2025, 10, 10)  # day 2 of the scenario, day 5 of absence


def test_the_timeline_agrees_with_the_daily_run(afc):
    present_until(afc, D(2025, 10, 10), absent_days=5)
    daily_run(D(2025, 10, 10))
    recorded = {t.step_id: t for t in Task.objects.filter(procedure__child=afc.child)}
    t, _ = timeline_for(afc, "achieving-for-children", whatif.Scenario(whatif.ABSENT, D(2025, 10, 6)))
    planned = steps(t)
    for step_id, task in recorded.items():
        assert (planned[step_id].opens_on, planned[step_id].due_on) == (task.opened_on, task.due_on)
    procedure = afc.child.procedures.get()
    assert procedure.opened_on == t.opened_on
    assert {k: v for k, v in t.first_held.items() if v <= D(2025, 10, 10)} == procedure.first_held_dates()


def test_stacked_measures_equal_the_measures_of_each_day(afc):
    present_until(afc, D(2025, 10, 3))
    sim = simulate(afc, whatif.Scenario(whatif.LEAVE, D(2025, 10, 6), leave_days=3))
    index = code_index()
    matrix = sim.register[None, :]
    for k, d in enumerate(range(sim.first, len(sim.days))):
        one = all_measures(matrix, index, 2 * d + 1, workers=1)._asdict()
        for name, values in one.items():
            np.testing.assert_array_equal(values, sim.values[name][k : k + 1], err_msg=f"{name} day {d}")


def test_the_end_of_the_term_dates_cuts_the_horizon_and_dates_go_to_working_days(afc):
    # Northmere's term dates end on 21 July 2027.
    scenario = whatif.Scenario(whatif.ABSENT, D(2027, 7, 12))
    t, sim = timeline_for(afc, "achieving-for-children", scenario)
    assert sim.truncated and sim.last_day == D(2027, 7, 21) and sim.simulated_days == 8
    assert t.working_days_instead  # the enquiries' 15 days run past the last term
    assert steps(t)["ews_enquiries"].due_on == D(2027, 8, 6)
    assert sim.day_text(D(2027, 8, 6)) == "after the term dates end"
    with pytest.raises(whatif.OutsideCalendar):
        simulate(afc, whatif.Scenario(whatif.ABSENT, D(2028, 1, 10)))


# --- the page ----------------------------------------------------------------------------------------------


@pytest.fixture
def two_packs(afc, monkeypatch):
    """Hillside has its own pack (Portsmouth's, for the test); Northmere's is Achieving for Children's."""
    monkeypatch.setattr("onroll.web.views.whatif.today", lambda: D(2025, 9, 5))
    afc.school.procedure_pack = "portsmouth"
    afc.school.save()
    present_until(afc, D(2025, 9, 5))
    return afc


def what_if_page(login, user, child, query: str = ""):
    return login(user).get(f"/children/{child.pk}/what-if/{query}")


def test_the_page_shows_both_packs_and_where_they_disagree(two_packs, login):
    response = what_if_page(login, two_packs.users.cme_officer, two_packs.child)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<caption class="govuk-table__caption govuk-table__caption--m">What happens on which date' in html
    assert '<th scope="col" class="govuk-table__header">Date</th>' in html
    assert '<th scope="row" class="govuk-table__header">Fri 12 Sep 2025' in html
    for pack_id in ("portsmouth", "achieving-for-children"):
        assert f"{pack(pack_id).name} (version {pack(pack_id).version})" in html
    assert "Hillside Primary School&#x27;s own pack: the daily run uses it for this school" in html
    # Default scenario: absent from the next school day after "today" (Friday 5 September).
    assert "Day 1 is Monday 8 September 2025" in html
    assert "Where the packs disagree" in html
    assert "The school&#x27;s first referral or report." in html
    assert "“Complete a referral to SPA” due on day 5 (Friday 12 September 2025)" in html
    assert "due on day 20 (Friday 3 October 2025)" in html
    assert "escalated on day 21 (Monday 6 October 2025)" in html  # Portsmouth's: "not within the timeline"
    assert "Northmere&#x27;s pack" in html
    events = AuditEvent.objects.filter(child_id=two_packs.child.pk, action=Action.VIEW)
    assert events.filter(user=two_packs.users.cme_officer).exists()


def test_the_scenario_comes_from_the_query(two_packs, login):
    query = (
        "?scenario=leave&start_0=6&start_1=10&start_2=2025&leave_days=5"
        "&pack_a=portsmouth&pack_b=achieving-for-children"
    )
    html = what_if_page(login, two_packs.users.panel_chair, two_packs.child, query).content.decode()
    assert "on leave of absence for 5 school days (to Friday 10 October 2025)" in html
    assert "Refer to the School Attendance Team (pupil not returned 10 days after leave of absence)" in html
    assert '<th scope="row" class="govuk-table__header">Fri 24 Oct 2025' in html


def test_one_pack_only_asks_for_a_second(afc, login, monkeypatch):
    monkeypatch.setattr("onroll.web.views.whatif.today", lambda: D(2025, 9, 5))
    html = what_if_page(login, afc.users.cme_officer, afc.child).content.decode()
    assert "Choose a second procedure pack above to compare" in html
    assert "Where the packs disagree" not in html
    assert "Complete a referral to SPA" in html


def test_a_wrong_form_shows_the_error_summary(two_packs, login):
    query = "?scenario=leave&start_0=31&start_1=2&start_2=2025&leave_days=&pack_a=portsmouth"
    response = what_if_page(login, two_packs.users.cme_officer, two_packs.child, query)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "The date the scenario starts must be a real date" in html
    assert "Enter how many school days the leave lasts" in html
    assert "What happens on which date" not in html


def test_a_date_beyond_the_term_dates_says_so(two_packs, login):
    query = "?scenario=absent&start_0=10&start_1=1&start_2=2028&pack_a=portsmouth"
    response = what_if_page(login, two_packs.users.cme_officer, two_packs.child, query)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The timeline cannot be shown." in html and "outside the school&#x27;s term dates" in html


def test_no_term_dates_says_so(world, login):
    load_packs()
    response = what_if_page(login, world.users.cme_officer, world.child)
    assert response.status_code == 200
    assert "has no term dates in Onroll" in response.content.decode()


@pytest.mark.parametrize("who", ["other_la_officer", "other_school_dsl"])
def test_out_of_scope_users_get_404(two_packs, login, who):
    response = what_if_page(login, getattr(two_packs.users, who), two_packs.child)
    assert response.status_code == 404


def test_the_child_page_links_to_the_timeline(afc, login):
    html = login(afc.users.cme_officer).get(f"/children/{afc.child.pk}/").content.decode()
    assert f'href="/children/{afc.child.pk}/what-if/">what-if timeline</a>' in html
