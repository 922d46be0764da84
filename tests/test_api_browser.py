"""In a real browser, with axe: a caseworker makes an API token (shown once), uses it, and revokes it."""

import pytest
from playwright.sync_api import expect

from .test_browser import arrive, browser, browser_world, page, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_caseworker_makes_uses_and_revokes_an_api_token(page, browser_world):  # noqa: F811
    child_api = f"/api/v1/children/{browser_world.child.pk}"
    sign_in(page, "spa_officer")
    page.goto("/account/api-tokens/")
    arrive(page, "API tokens", "the API tokens page")
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()

    page.get_by_role("button", name="Create token").click()
    arrive(page, "API tokens", "the API tokens page with an error")
    expect(
        page.locator(".govuk-error-summary").get_by_role("link", name="Enter a name for the token")
    ).to_be_visible()

    page.get_by_label("Name of the token").fill("Admissions nightly check")
    page.get_by_role("button", name="Create token").click()
    arrive(page, "API tokens", "the API tokens page showing a new token")
    expect(page.get_by_text("You will not be able to see it again", exact=False)).to_be_visible()
    token = page.get_by_label("Your new token").input_value()
    assert token.startswith("onroll_")
    answer = page.request.get(child_api, headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200 and answer.json()["legal_first_name"] == "Amara"

    page.goto("/account/api-tokens/")
    arrive(page, "API tokens", "the API tokens page again")
    expect(page.get_by_label("Your new token")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Admissions nightly check")
    row.get_by_role("button", name="Revoke Admissions nightly check").click()
    arrive(page, "API tokens", "the API tokens page after revoking")
    expect(page.get_by_text("Token 'Admissions nightly check' revoked", exact=False)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Admissions nightly check")).to_contain_text("Revoked")
    answer = page.request.get(child_api, headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401 and answer.json()["detail"].startswith("Send a valid API token")


def test_the_api_documentation_opens_for_a_signed_in_user(page, browser_world):  # noqa: F811
    sign_in(page, "spa_officer")
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Onroll API", exact=False).first).to_be_visible()
    expect(page.get_by_text("/api/v1/children/search").first).to_be_visible()
