"""The child page's attendance section: measures in plain English and a month-by-month register."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onroll.attendance.models import AttendanceMark
from onroll.attendance.queries import attendance_for, attendance_school, school_year_start
from onroll.demo.calendars import create_default_calendar
from onroll.schools.calendar import school_days_in
from onroll.schools.queries import calendar_for

from . import factories as f

D = dt.date
ON = D(2025, 10, 10)  # a Friday; INSET on 1 and 2 September, so the year's first school day is the 3rd
ABSENT = ["G", "N", "O", "G", "N", "O"]  # the last six school days: 3 and 6-10 October


def add_marks(child, school, days, codes):
    AttendanceMark.objects.bulk_create(
        AttendanceMark(child=child, school=school, date=day, session=session, code=code)
        for day, (am, pm) in zip(days, codes, strict=True)
        for session, code in (("AM", am), ("PM", pm))
    )


@pytest.fixture
def register(world, monkeypatch):
    """Northmere's term dates, and Amara present from 3 September then absent (G/N/O) for six days."""
    monkeypatch.setattr("onroll.web.views.children.today", lambda: ON)
    create_default_calendar(world.la)
    days = school_days_in(calendar_for(world.school), D(2025, 9, 1), ON)
    codes = [("/", "\\")] * (len(days) - len(ABSENT)) + [(c, c) for c in ABSENT]
    codes[2] = ("L", "I")  # a late and an illness early on
    add_marks(world.child, world.school, days, codes)
    return days


def child_page(login, user, child):
    response = login(user).get(f"/children/{child.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_measures_are_on_the_child_page(world, login, register):
    html = child_page(login, world.users.cme_officer, world.child)
    assert '<h2 class="govuk-heading-m" id="attendance">Attendance</h2>' in html
    row = re.search(
        r"Consecutive school days absent without any attendance \(G, N or O\)</dt>"
        r'<dd class="govuk-summary-list__value">(\d+)</dd>',
        html,
    )
    assert row and row.group(1) == "6"
    # 28 school days, 56 possible sessions; 12 G/N/O and 1 illness absent, 43 present (L counts).
    assert "Attendance this school year</dt>" in html
    assert "76.8% (43 of 56 possible sessions)" in html
    assert re.search(r"Persistently absent \(10% or more\)</dt><dd[^>]*>Yes</dd>", html)
    assert re.search(r"Unauthorised sessions in the last 10 school weeks</dt><dd[^>]*>12 ", html)


def test_one_table_per_month_with_captions_weekdays_and_a_key(world, login, register):
    html = child_page(login, world.users.school_dsl, world.child)
    assert html.count('class="govuk-table onroll-cal"') == 2
    assert "<caption" in html and ">September 2025</caption>" in html and ">October 2025</caption>" in html
    assert html.count('<span class="govuk-visually-hidden">Wednesday</span>') == 2
    # INSET days are shown as no school, in words.
    assert html.count("No school</span>") >= 2
    # Each school day's meanings are there for screen readers.
    assert "Morning: /, Present in school at morning registration. Afternoon: \\, " in html
    assert "Morning: G, " in html
    assert ">Key to the codes used</caption>" in html
    for code in ("/", "\\", "G", "N", "O", "L", "I"):
        assert f'<td class="govuk-table__cell onroll-cal__codes">{code}</td>' in html


def test_the_query_uses_one_query_for_marks_and_clips_to_the_day(world, register):
    with CaptureQueriesContext(connection) as queries:
        attendance = attendance_for(world.child, world.school, ON)
    mark_queries = [q for q in queries.captured_queries if "attendance_attendancemark" in q["sql"]]
    assert len(mark_queries) == 1
    assert len(queries.captured_queries) <= 6
    assert attendance.recorded and attendance.as_of == ON
    assert attendance.school_days == register
    assert attendance.days[-1].am_code == "O" and attendance.days[-1].am_meaning
    assert attendance.measures.gno_run_days == 6
    assert attendance.measures.illness_sessions == 1
    # A Saturday: measures as of Friday.
    assert attendance_for(world.child, world.school, D(2025, 10, 11)).as_of == ON
    # Earlier in the window the run has not started yet.
    assert attendance_for(world.child, world.school, D(2025, 10, 2)).measures.gno_run_days == 0


def test_school_year_starts_on_1_september():
    assert school_year_start(D(2025, 8, 31)) == D(2024, 9, 1)
    assert school_year_start(D(2025, 9, 1)) == D(2025, 9, 1)
    assert school_year_start(D(2026, 3, 1)) == D(2025, 9, 1)


def test_a_new_school_year_does_not_show_last_years_marks(world, register):
    attendance = attendance_for(world.child, world.school, D(2026, 9, 10))
    assert not attendance.recorded


def test_the_current_enrolment_chooses_the_school(world):
    left = f.EnrolmentFactory(
        child=world.child,
        school=world.other_school,
        entry_date=D(2024, 9, 4),
        leaving_date=D(2025, 7, 20),
        status="left",
    )
    assert attendance_school(world.child.enrolments.all()) == world.school
    assert attendance_school([left]) == world.other_school
    assert attendance_school([]) is None


def test_a_child_with_no_marks_shows_no_attendance_recorded(world, login, monkeypatch):
    monkeypatch.setattr("onroll.web.views.children.today", lambda: ON)
    create_default_calendar(world.la)
    html = child_page(login, world.users.cme_officer, world.child)
    assert "No attendance recorded." in html
    assert "onroll-cal" not in html


def test_a_school_without_a_calendar_does_not_break_the_page(world, login, monkeypatch):
    monkeypatch.setattr("onroll.web.views.children.today", lambda: ON)
    AttendanceMark.objects.create(child=world.child, school=world.school, date=ON, session="AM", code="/")
    html = child_page(login, world.users.cme_officer, world.child)
    assert "No attendance recorded." in html
    assert "has no term dates in Onroll" in html


def test_a_child_on_no_roll_shows_no_attendance_recorded(world, login):
    world.child.enrolments.all().delete()
    html = child_page(login, world.users.cme_officer, world.child)
    assert "No attendance recorded." in html


def test_out_of_scope_users_still_get_404(world, login, register):
    assert login(world.users.other_la_officer).get(f"/children/{world.child.pk}/").status_code == 404
