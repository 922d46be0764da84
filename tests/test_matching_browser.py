"""In a real browser, with axe on every page: the search before create, and the likely-duplicates list."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from onroll.matching.duplicates import find_duplicates

from . import factories as f
from .test_browser import arrive, browser, browser_world, fill_date, page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

AMARA_DOB = dt.date(2015, 3, 14)


def test_the_spa_officer_asks_whether_a_child_is_known(page, browser_world):  # noqa: F811
    sign_in(page, "spa_officer")
    page.get_by_role("link", name="Find a child").click()
    arrive(page, "Is this child already known?", "the search page")
    page.get_by_label("First name").fill("Amara")
    page.get_by_label("Last name").fill("Okafor3")
    page.get_by_role("button", name="Search").click()
    arrive(page, "Is this child already known?", "the search page with an error")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.get_by_label("Last name").fill("Okafur")
    fill_date(page, "Date of birth", AMARA_DOB)
    page.get_by_role("button", name="Search").click()
    arrive(page, "Is this child already known?", "the search results")
    expect(page.get_by_role("link", name="Amara Okafor")).to_be_visible()
    expect(page.get_by_text("same date of birth", exact=False).first).to_be_visible()


def test_business_support_reviews_likely_duplicates(page, browser_world):  # noqa: F811
    world = browser_world
    again = f.ChildFactory(
        legal_first_name="Amara", legal_last_name="Okafur", la=world.la, date_of_birth=AMARA_DOB
    )
    f.AddressFactory(child=again, line_1="12 Mill Lane", postcode="NM1 2AB")
    f.ContactFactory(child=again, name="Grace Okafor")
    find_duplicates(world.la)
    sign_in(page, "business_support")
    page.get_by_role("link", name="Likely duplicates").click()
    arrive(page, "Likely duplicate children", "the likely duplicates")
    # which record is A depends on the ids, so look for both
    expect(page.get_by_role("link", name="Amara Okafor", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Amara Okafur", exact=True)).to_be_visible()
