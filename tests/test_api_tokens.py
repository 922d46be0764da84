"""The API tokens page: a user makes a token (shown once), sees when it was used, and revokes it."""

import pytest
from django.urls import reverse

from onroll.api.models import ApiToken
from onroll.api.tokens import issue_token
from onroll.audit.models import Action, AuditEvent

TOKENS = "/account/api-tokens/"


def test_the_page_lists_the_users_own_tokens_only(login, world):
    issue_token(world.users.spa_officer, "Admissions nightly check")
    issue_token(world.users.cme_officer, "Someone else's token")
    page = login(world.users.spa_officer).get(TOKENS).content.decode()
    assert "Admissions nightly check" in page and "Someone else" not in page
    assert reverse("api_v1:openapi-view") in page


def test_a_new_token_is_shown_once_and_works(login, world, client):
    user = world.users.spa_officer
    response = login(user).post(TOKENS, {"name": "Case system sync"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    token = page.split('id="new-token" type="text" value="')[1].split('"')[0]
    assert token.startswith("onroll_") and "You will not be able to see it again" in page
    stored = ApiToken.objects.get(user=user)
    assert stored.name == "Case system sync" and token not in stored.key_hash
    assert token not in client.get(TOKENS).content.decode()
    api = client.get(f"/api/v1/children/{world.child.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200
    assert AuditEvent.objects.filter(user=user, action=Action.CREATE, object_id=stored.pk).exists()


def test_a_token_needs_a_name(login, world):
    response = login(world.users.spa_officer).post(TOKENS, {"name": "  "})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter a name for the token" in page and not ApiToken.objects.exists()


def test_revoking_stops_the_token_and_is_audited(login, world, client):
    user = world.users.spa_officer
    api_token, token = issue_token(user, "Old integration")
    response = login(user).post(reverse("api:revoke_token", args=[api_token.pk]))
    assert response.status_code == 302 and response["Location"] == TOKENS
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    assert "Revoked" in client.get(TOKENS).content.decode()
    assert (
        client.get(f"/api/v1/children/{world.child.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        == 401
    )
    assert AuditEvent.objects.filter(
        user=user, action=Action.UPDATE, summary="Revoked API token 'Old integration'"
    ).exists()


def test_nobody_can_revoke_someone_elses_token(login, world):
    api_token, _ = issue_token(world.users.cme_officer, "Mine")
    response = login(world.users.spa_officer).post(reverse("api:revoke_token", args=[api_token.pk]))
    assert response.status_code == 404
    api_token.refresh_from_db()
    assert api_token.revoked_at is None


def test_revoking_needs_a_post(login, world):
    api_token, _ = issue_token(world.users.spa_officer, "Mine")
    assert (
        login(world.users.spa_officer).get(reverse("api:revoke_token", args=[api_token.pk])).status_code
        == 405
    )


@pytest.mark.parametrize(
    "persona, expected",
    [("anonymous", 302), ("school_dsl", 200), ("spa_officer", 200), ("partner", 200), ("system_admin", 404)],
)
def test_who_may_have_tokens(client, world, persona, expected):
    # Every endpoint starts from seeing children; a role that cannot has no use for a token.
    if persona != "anonymous":
        client.force_login(getattr(world.users, persona))
    assert client.get(TOKENS).status_code == expected


ADMIN_TOKENS = "/admin/api/apitoken/"


def test_an_administrator_sees_every_token_but_never_the_token_itself(login, world):
    _, token = issue_token(world.users.spa_officer, "Admissions nightly check")
    client = login(world.users.system_admin)
    page = client.get(ADMIN_TOKENS).content.decode()
    assert "Admissions nightly check" in page and token not in page
    assert client.get(ADMIN_TOKENS + "add/").status_code == 403


def test_an_administrator_revokes_someone_elses_token_and_it_is_audited(login, world, client):
    api_token, token = issue_token(world.users.spa_officer, "Leaked token")
    admin_client = login(world.users.system_admin)
    response = admin_client.post(ADMIN_TOKENS, {"action": "revoke", "_selected_action": [str(api_token.pk)]})
    assert response.status_code == 302
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    assert AuditEvent.objects.filter(
        user=world.users.system_admin, summary="Revoked API token 'Leaked token' of spa_officer"
    ).exists()
    client.logout()
    assert (
        client.get(f"/api/v1/children/{world.child.pk}", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        == 401
    )


def test_staff_without_the_admin_permission_cannot_see_tokens_in_the_admin(login, world):
    officer = world.users.cme_officer
    officer.is_staff = True
    officer.save()
    assert login(officer).get(ADMIN_TOKENS).status_code == 403
