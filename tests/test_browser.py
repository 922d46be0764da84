"""End-to-end journeys in a real browser (Debian's chromium through Playwright), with axe-core on every page.

A school's designated safeguarding lead signs in, makes a referral and records a contact attempt; the LA's
CME officer then finds the child on the register, records another attempt and opens the child's record.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from onroll.attendance.models import AttendanceMark
from onroll.casework.models import ContactAttempt
from onroll.children.models import Child
from onroll.demo.calendars import create_default_calendar
from onroll.procedures.models import Task
from onroll.procedures.run import daily_run
from onroll.schools.calendar import school_days_in
from onroll.schools.queries import calendar_for

from .browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    assert_accessible,
    async_unsafe_allowed,
    lift_audit_triggers_for_flush,
    restore_audit_triggers,
)
from .conftest import PASSWORD
from .test_child_attendance import add_marks

pytestmark = pytest.mark.browser

CASE_URL = re.compile(r"/cases/[0-9a-f-]{36}/$")
FIRST_NAME, LAST_NAME = "Noor", "Quennell"


@pytest.fixture(scope="module")
def browser(django_db_setup, django_db_blocker):
    with async_unsafe_allowed(), sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    with django_db_blocker.unblock():
        restore_audit_triggers()


@pytest.fixture
def browser_world(live_server, transactional_db, world):
    """The conftest world, made in a transactional database so the live server's thread can see it."""
    restore_audit_triggers()
    yield world
    lift_audit_triggers_for_flush()


@pytest.fixture
def page(browser, live_server, browser_world):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    csp_reports = []
    page.on(
        "console",
        lambda msg: csp_reports.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not csp_reports, "The browser reported Content-Security-Policy violations:\n" + "\n".join(
        csp_reports
    )


def arrive(page, heading: str, where: str):
    """Wait for the page with this h1 to have loaded, then check it with axe."""
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    page.wait_for_load_state("load")
    return assert_accessible(page, where)


def sign_in(page, username: str):
    page.goto("/sign-in/")
    arrive(page, "Sign in to Onroll", "the sign-in page")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/my-cases/$"))
    arrive(page, "My cases", "my cases")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    expect(page.get_by_role("heading", level=1, name="Sign in to Onroll")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def fill_date(page, legend: str, day: dt.date):
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def record_contact_attempt(page, method: str, who: str, outcome: str):
    page.get_by_role("link", name="Record a contact attempt").click()
    arrive(page, "Record a contact attempt", "the contact attempt form")
    today = timezone.localdate()
    date_group = page.get_by_role("group", name="Date of attempt")
    expect(date_group.get_by_label("Day")).to_have_value(str(today.day))
    expect(date_group.get_by_label("Year")).to_have_value(str(today.year))
    page.get_by_role("group", name="How did you try to make contact?").get_by_label(method).check()
    page.get_by_label("Who did you try to contact?").fill(who)
    page.get_by_label("Outcome").select_option(label=outcome)
    page.get_by_role("button", name="Record contact attempt").click()
    expect(page).to_have_url(CASE_URL)
    expect(page.get_by_role("alert").filter(has_text="Contact attempt recorded")).to_be_visible()
    entry = page.locator(".onroll-timeline__item").filter(
        has=page.get_by_role("heading", name=f"Contact attempt: {method}")
    )
    expect(entry.filter(has_text=f"{who}: {outcome}")).to_have_count(1)


def test_empty_referral_shows_the_error_summary_and_saves_nothing(page, browser_world):
    children_before = Child.objects.count()
    sign_in(page, "school_dsl")
    page.get_by_role("link", name="Make a referral").click()
    arrive(page, "Children missing education referral", "the referral form")

    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page, "the referral form with errors")

    links = summary.get_by_role("link")
    for message in (
        "Enter the child's first name",
        "Enter the child's last name",
        "Enter the child's date of birth",
        "Select the child's gender",
        "Enter the first line of the child's address",
        "Select what your concern is",
        "Select the main reason",
        "Enter the details of your concern",
    ):
        expect(links.filter(has_text=message)).to_have_count(1)
    # Every link in the summary must lead to a field on the page (for radios, the first radio).
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert page.locator(href).count() == 1, f"The error summary links to {href}, which is not on the page"
    # GOV.UK Frontend moves focus to the field when its error is followed.
    links.filter(has_text="Enter the child's first name").click()
    expect(page.get_by_label("First name")).to_be_focused()

    assert Child.objects.count() == children_before


def test_school_refers_a_child_and_the_la_officer_follows_up(page, browser_world):
    today = timezone.localdate()
    born = dt.date(today.year - 9, 3, 1)
    children_before = Child.objects.count()

    # The school's DSL makes a referral.
    sign_in(page, "school_dsl")
    page.get_by_role("link", name="Make a referral").click()
    arrive(page, "Children missing education referral", "the referral form")
    page.get_by_label("First name").fill(FIRST_NAME)
    page.get_by_label("Last name").fill(LAST_NAME)
    fill_date(page, "Date of birth", born)
    page.get_by_role("group", name="Gender").get_by_label("Female").check()
    page.get_by_label("Address line 1").fill("4 Wharf Street")
    page.get_by_label("Postcode").fill("nm3 4cd")
    page.get_by_label("Missing education: identified but not located").check()
    page.get_by_label("Main reason").select_option(label="Not on a school roll")
    page.get_by_label("Details", exact=True).fill("Seen at the library in school hours; not on any roll.")
    referral_date = page.get_by_role("group", name="Referral date")
    expect(referral_date.get_by_label("Day")).to_have_value(str(today.day))
    expect(referral_date.get_by_label("Month")).to_have_value(str(today.month))
    expect(referral_date.get_by_label("Year")).to_have_value(str(today.year))
    page.get_by_label("Your name").fill("Priya Shah")
    page.get_by_label("Your contact details").fill("01632 960 001, dsl@hillside.example.org")
    page.get_by_role("button", name="Send referral").click()

    expect(page).to_have_url(CASE_URL)
    banner = page.get_by_role("alert").filter(has_text="Referral received")
    expect(banner).to_contain_text(re.compile(r"Case \S+ is on the register"))
    arrive(page, f"{FIRST_NAME} {LAST_NAME}", "the new case")
    expect(page.get_by_text("Missing education: identified but not located", exact=True)).to_be_visible()
    assert Child.objects.count() == children_before + 1
    child = Child.objects.get(legal_last_name=LAST_NAME)
    assert child.date_of_birth == born

    record_contact_attempt(page, "Phone call", "Mother on her mobile", "No answer")
    arrive(page, f"{FIRST_NAME} {LAST_NAME}", "the case after a contact attempt")
    sign_out(page)

    # The LA's CME officer finds the child on the register and follows up.
    sign_in(page, "cme_officer")
    page.get_by_role("link", name="Register", exact=True).click()
    arrive(page, "The register", "the register")
    page.get_by_label("Search by name, UPN or date of birth").fill(LAST_NAME)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(rf"/register/\?.*q={LAST_NAME}"))
    expect(page.get_by_role("heading", level=2, name="1 case")).to_be_visible()
    arrive(page, "The register", "the register's search results")
    page.screenshot(path="/tmp/onroll-register.png", full_page=True)
    results = page.get_by_role("table", name="Cases on the register")
    results.get_by_role("link", name=f"{FIRST_NAME} {LAST_NAME}").click()

    expect(page).to_have_url(CASE_URL)
    arrive(page, f"{FIRST_NAME} {LAST_NAME}", "the case, as the LA officer")
    record_contact_attempt(page, "Home visit", "Knocked at 4 Wharf Street", "No one at home")
    arrive(page, f"{FIRST_NAME} {LAST_NAME}", "the case after the second attempt")
    attempts = page.locator(".onroll-timeline__item").filter(
        has=page.get_by_role("heading", name=re.compile(r"^Contact attempt: "))
    )
    expect(attempts).to_have_count(2)
    page.screenshot(path="/tmp/onroll-case.png", full_page=True)
    assert ContactAttempt.objects.filter(case__child=child).count() == 2

    page.get_by_role("link", name=f"View {FIRST_NAME}'s record").click()
    expect(page).to_have_url(re.compile(rf"/children/{child.pk}/$"))
    arrive(page, f"{FIRST_NAME} {LAST_NAME}", "the child's record")
    expect(page.get_by_text("4 Wharf Street")).to_be_visible()
    sign_out(page)


def test_the_child_page_with_an_attendance_calendar_is_accessible(page, browser_world, monkeypatch):
    on = dt.date(2025, 10, 10)
    monkeypatch.setattr("onroll.web.views.children.today", lambda: on)
    world = browser_world
    create_default_calendar(world.la)
    days = school_days_in(calendar_for(world.school), dt.date(2025, 9, 1), on)
    codes = ["/", "L", "I", "C1", "G", "N", "O", "U", "B", "D"]
    AttendanceMark.objects.bulk_create(
        AttendanceMark(
            child=world.child,
            school=world.school,
            date=day,
            session=session,
            code=codes[i % len(codes)] if session == "AM" else "\\",
        )
        for i, day in enumerate(days)
        for session in ("AM", "PM")
    )
    sign_in(page, "cme_officer")
    page.goto(f"/children/{world.child.pk}/")
    arrive(page, world.child.full_name, "the child's record with attendance")
    expect(page.get_by_role("table", name="October 2025")).to_be_visible()
    expect(page.get_by_role("table", name="Key to the codes used")).to_be_visible()
    page.screenshot(path="/tmp/onroll-child-attendance.png", full_page=True)


def test_pages_carry_a_csp_nonce_that_the_inline_script_uses(client, db):
    nonces = []
    for _ in range(2):
        response = client.get("/sign-in/")
        assert response.status_code == 200
        policy = response.headers.get("Content-Security-Policy", "")
        script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
        match = re.search(r"'nonce-([A-Za-z0-9+/=_-]+)'", script_src)
        assert match, f"script-src has no nonce: {policy!r}"
        assert "'unsafe-inline'" not in script_src
        nonce = match.group(1)
        html = response.content.decode()
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert inline, "the page has no inline script"
        assert all(f'nonce="{nonce}"' in attrs for attrs in inline), inline
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "the nonce must be fresh for every response"


def test_a_school_lead_works_a_procedure_task_and_the_what_if_timeline_is_accessible(
    page, browser_world, afc, monkeypatch
):
    on = dt.date(2025, 10, 13)
    monkeypatch.setattr("onroll.web.views.tasks.today", lambda: on)
    monkeypatch.setattr("onroll.web.views.whatif.today", lambda: on)
    world = browser_world
    days = school_days_in(calendar_for(world.school), dt.date(2025, 9, 1), dt.date(2025, 10, 10))
    add_marks(world.child, world.school, days, [("/", "\\")] * (len(days) - 5) + [("N", "N")] * 5)
    daily_run(dt.date(2025, 10, 10))

    sign_in(page, "school_dsl")
    page.get_by_role("link", name="My tasks").click()
    arrive(page, "My tasks", "my tasks")
    page.get_by_role("link", name="Complete a referral to SPA").click()
    arrive(page, "Complete a referral to SPA", "a task")
    page.get_by_label("What was done").fill("Referral sent to SPA, reference SPA-2025-118")
    page.get_by_role("button", name="Mark as done").click()
    expect(page).to_have_url(CASE_URL)
    expect(page.get_by_role("alert").filter(has_text="Task marked as done")).to_be_visible()
    arrive(page, world.child.full_name, "the case with its procedure")
    assert Task.objects.get(step_id="refer_to_spa").status == "done"

    page.goto(f"/children/{world.child.pk}/what-if/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("load")
    assert_accessible(page, "the what-if timeline")
    sign_out(page)
