"""Removal from roll in a real browser, with axe-core on every page: a school records an enquiry, proposes a
deletion, meets a GOV.UK error, declares, deletes and reads the deletion return."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from onroll.children.models import EnrolmentStatus

from .test_browser import arrive, browser, browser_world, fill_date, page, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_a_school_records_an_enquiry_and_removes_a_pupil(page, browser_world):  # noqa: F811
    world = browser_world
    today = dt.date.today()
    sign_in(page, "school_dsl")
    page.goto(f"/cases/{world.case.pk}/")
    arrive(page, "Amara Okafor", "the case with its enquiry checklist")
    expect(page.get_by_text("Joint reasonable enquiries are not complete.")).to_be_visible()
    page.screenshot(path="/tmp/onroll-case-enquiries.png", full_page=True)

    page.get_by_role("link", name="Record a reasonable enquiry").click()
    arrive(page, "Record a reasonable enquiry", "the enquiry form")
    page.get_by_role("button", name="Record enquiry").click()
    arrive(page, "Record a reasonable enquiry", "the enquiry form with errors")
    expect(page.get_by_role("alert").filter(has_text="Select the enquiry made")).to_be_visible()
    page.get_by_label("Which enquiry").select_option(label="Home visit to the last known address")
    fill_date(page, "Date of the enquiry", today)
    page.get_by_role("group", name="How").get_by_label("Home visit").check()
    page.get_by_role("group", name="Outcome").get_by_label("Not found").check()
    page.get_by_label("Evidence note").fill("No one at home; curtains drawn; neighbour not seen them")
    page.get_by_role("button", name="Record enquiry").click()
    expect(page).to_have_url(re.compile(r"/cases/[0-9a-f-]{36}/#enquiries$"))

    page.get_by_role("link", name="Propose removal from roll").click()
    arrive(page, "Propose removal from roll", "the proposal form")
    page.get_by_label("9(1)(k): Pupil has died (2006: 8(1)(j))").check()
    fill_date(page, "Proposed deletion date", dt.date(2019, 1, 1))
    page.get_by_role("button", name="Propose deletion").click()
    arrive(page, "Propose removal from roll", "the proposal form with errors")
    expect(page.get_by_role("alert").filter(has_text="on or after 4 September 2019")).to_be_visible()
    fill_date(page, "Proposed deletion date", today)
    page.get_by_role("button", name="Propose deletion").click()
    arrive(page, "Amara Okafor", "the proposal with its conditions")
    expect(page.get_by_text("Needs a declaration").first).to_be_visible()

    page.get_by_role("link", name="Declare what only the school can know").click()
    arrive(page, "Declare what only the school can know", "the declaration form")
    page.get_by_role("group", name="The pupil has died").get_by_label("Yes").check()
    page.get_by_label("What the declaration rests on").fill("Letter from the family")
    page.get_by_role("button", name="Record declaration").click()
    arrive(page, "Amara Okafor", "the proposal, declared")
    page.screenshot(path="/tmp/onroll-removal-proposal.png", full_page=True)

    page.get_by_role("link", name="Delete from roll").click()
    arrive(page, "Delete from roll", "the deletion form")
    page.get_by_role("button", name="Delete from roll").click()
    arrive(page, "Deletion return", "the deletion return")
    expect(page.get_by_text("Regulation 9(1)(k) (2006: 8(1)(j)): Pupil has died")).to_be_visible()
    assert world.child.enrolments.get().status == EnrolmentStatus.LEFT
