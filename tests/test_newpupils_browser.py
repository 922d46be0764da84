"""In a real browser, with axe on every page: a school sends a new pupil return for a child the LA has been
looking for, and the CME officer sees that the child was found."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from onroll.casework.models import Category
from onroll.newpupils.models import NewPupilReturn

from . import factories as f
from .browser_support import assert_accessible
from .test_browser import arrive, browser, browser_world, fill_date, page, sign_in, sign_out  # noqa: F401

pytestmark = pytest.mark.browser

KACPER_DOB = dt.date(2016, 5, 9)


def test_a_school_returns_a_new_pupil_and_the_la_finds_a_missing_child(page, browser_world):  # noqa: F811
    world = browser_world
    kacper = f.ChildFactory(
        legal_first_name="Kacper", legal_last_name="Nowak", sex="M", la=world.la, date_of_birth=KACPER_DOB
    )
    f.AddressFactory(child=kacper, line_1="41 Tannery Street", postcode="NM3 8LT")
    case = f.CaseFactory(child=kacper, la=world.la, category=Category.MISSING_NOT_LOCATED)

    sign_in(page, "school_dsl")
    page.get_by_role("link", name="New pupil returns").click()
    arrive(page, "New pupil returns", "the school's list of returns")
    page.get_by_role("link", name="Make a new pupil return").click()
    arrive(page, "New pupil return", "the new pupil return form")

    page.get_by_role("button", name="Continue").click()
    arrive(page, "New pupil return", "the form with errors")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter the pupil's legal first name")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))

    page.get_by_label("Legal first name").fill("Kasper")
    page.get_by_label("Legal last name").fill("Nowak")
    fill_date(page, "Date of birth", KACPER_DOB)
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Year group").select_option("4")
    page.get_by_label("Address line 1").fill("41 Tannery Street")
    page.get_by_label("Postcode").fill("NM3 8LT")
    page.get_by_label("Name of a parent the pupil lives with").fill("Marta Nowak")
    page.get_by_label("Their phone number", exact=True).fill("07700 900789")
    page.get_by_role("button", name="Continue").click()
    arrive(page, "New pupil return", "the candidates step")
    expect(
        page.get_by_role("group", name="Is this pupil already known to the local authority?")
    ).to_be_visible()
    # No way into the record of a child the school may not see.
    expect(page.get_by_role("link", name="Kacper Nowak")).to_have_count(0)

    page.get_by_role("button", name="Send the return").click()
    expect(page.locator("#match-choice-error")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: New pupil return"))
    assert_accessible(page, "the candidates step with an error")
    page.get_by_label("Kacper Nowak", exact=False).check()
    page.get_by_role("button", name="Send the return").click()
    arrive(page, "New pupil return: Kasper Nowak", "the return the school sent")
    expect(page.get_by_text("linked to the child the LA already knew")).to_be_visible()
    sign_out(page)

    sign_in(page, "cme_officer")
    page.get_by_role("link", name="New pupil returns").click()
    arrive(page, "New pupil returns", "the LA's list of returns")
    expect(page.get_by_role("region", name="Children found")).to_contain_text(case.reference)
    page.get_by_role("link", name="Kacper Nowak").click()
    arrive(page, "New pupil return: Kasper Nowak", "the return as the LA sees it")
    expect(page.get_by_role("region", name="Child found")).to_contain_text(case.reference)
    assert NewPupilReturn.objects.get().review_task is not None
