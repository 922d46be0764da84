"""The API door: token authentication, search before create with reasons, create only after a decision,
scoping (out of scope answers 404), audit, and a JSON body for every error."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from onroll.api.models import ApiToken
from onroll.api.tokens import issue_token, revoke_token
from onroll.audit.models import Action, AuditEvent
from onroll.children.models import Child
from onroll.matching import scoring
from onroll.matching.models import Decision, Door, MatchDecision

SEARCH = "/api/v1/children/search"
CHILDREN = "/api/v1/children"

# Amara Okafor (conftest: born 14 March 2015, 12 Mill Lane NM1 2AB, mother Grace) with her surname misspelt.
AMARA_AGAIN = {
    "first_name": "Amara",
    "last_name": "Okafur",
    "date_of_birth": "2015-03-14",
    "sex": "F",
    "address": {"line_1": "12 Mill Lane", "postcode": "NM1 2AB"},
    "parents": [{"name": "Grace Okafor", "phone": "07700 900123"}],
}
NEW_CHILD = {
    "first_name": "Zofia",
    "last_name": "Wiśniewska",
    "preferred_first_name": "Zosia",
    "date_of_birth": "2016-09-02",
    "sex": "F",
    "former_names": [{"last_name": "Kowalska"}],
    "address": {"line_1": "4 Quarry Row", "town": "Northmere", "postcode": "NM3 7QT"},
    "parents": [{"name": "Ewa Wiśniewska", "relationship": "Mother", "phone": "07700 900456"}],
}


@pytest.fixture
def api(client):
    """Call the API as a user, through a real token."""

    def as_user(user):
        _, token = issue_token(user, "tests")
        return Caller(client, token)

    return as_user


class Caller:
    def __init__(self, client, token):
        self.client, self.token = client, token

    def post(self, url, body):
        return self.client.post(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {self.token}"
        )

    def get(self, url):
        return self.client.get(url, HTTP_AUTHORIZATION=f"Bearer {self.token}")


def _child_url(child_id):
    return f"{CHILDREN}/{child_id}"


# --- authentication ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", [None, "Bearer onroll_not-a-real-token", "Bearer ", "Token abc", "Basic c3BhOnB3"]
)
def test_missing_or_wrong_token_is_401_with_a_json_body(client, world, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.post(SEARCH, AMARA_AGAIN, content_type="application/json", **extra)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("Send a valid API token")
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_or_a_deactivated_user_is_401(client, world):
    user = world.users.spa_officer
    api_token, token = issue_token(user, "nightly check")
    caller = Caller(client, token)
    assert caller.get(_child_url(world.child.pk)).status_code == 200
    revoke_token(user, api_token.pk)
    assert caller.get(_child_url(world.child.pk)).status_code == 401

    _, token = issue_token(user, "another")
    user.is_active = False
    user.save()
    assert Caller(client, token).get(_child_url(world.child.pk)).status_code == 401


def test_a_signed_in_session_is_not_enough_for_the_api(login, world):
    client = login(world.users.spa_officer)
    assert client.get(_child_url(world.child.pk)).status_code == 401


def test_only_a_hash_of_the_token_is_stored_and_use_is_noted(client, world):
    api_token, token = issue_token(world.users.spa_officer, "admissions system")
    assert token.startswith("onroll_") and len(token) > 40
    stored = ApiToken.objects.get()
    assert token not in (stored.key_hash, stored.prefix, stored.name) and token.startswith(stored.prefix)
    assert stored.last_used_at is None
    Caller(client, token).get(_child_url(world.child.pk))
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert AuditEvent.objects.filter(
        object_id=api_token.pk, action=Action.CREATE, summary="Created API token 'admissions system'"
    ).exists()


# --- search -------------------------------------------------------------------------------------------


def test_search_returns_ranked_candidates_with_reasons(api, world):
    # Amara's sister lives at the same address: she may be shown, but below Amara and not suggested.
    sister = Child.objects.create(
        legal_first_name="Chioma", legal_last_name="Okafor", date_of_birth=dt.date(2017, 6, 1), la=world.la
    )
    sister.enrolments.create(school=world.school, entry_date=dt.date(2021, 9, 1))
    response = api(world.users.spa_officer).post(SEARCH, AMARA_AGAIN)
    assert response.status_code == 200
    body = response.json()
    first = body["candidates"][0]
    assert first["child_id"] == str(world.child.pk) and first["full_name"] == "Amara Okafor"
    assert first["suggested"] is True and first["possible_sibling"] is False
    assert first["probability"] >= 0.9
    assert "same date of birth" in first["reasons"] and "same address" in first["reasons"]
    assert first["url"].endswith(_child_url(world.child.pk))
    assert body["notice"] == "" and body["model_version"]
    probabilities = [c["probability"] for c in body["candidates"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(not c["suggested"] for c in body["candidates"] if c["child_id"] == str(sister.pk))


def test_search_by_upn_alone_finds_the_child(api, world):
    response = api(world.users.cme_officer).post(SEARCH, {"upn": "B801200005001"})
    assert response.status_code == 200
    assert response.json()["candidates"][0]["child_id"] == str(world.child.pk)


def test_search_never_shows_a_child_out_of_scope(api, world):
    tom = {"first_name": "Tom", "last_name": "Pryce", "date_of_birth": str(world.other_child.date_of_birth)}
    assert api(world.users.cme_officer).post(SEARCH, tom).json()["candidates"] == []
    found = api(world.users.other_la_officer).post(SEARCH, tom).json()["candidates"]
    assert [c["child_id"] for c in found] == [str(world.other_child.pk)]


def test_a_school_user_cannot_see_another_schools_children(api, world):
    other = api(world.users.other_school_dsl)
    assert other.post(SEARCH, AMARA_AGAIN).json()["candidates"] == []
    response = other.get(_child_url(world.child.pk))
    assert response.status_code == 404 and response.json()["detail"] == "Not found"
    # Her own school sees her.
    mine = api(world.users.school_dsl)
    assert mine.post(SEARCH, AMARA_AGAIN).json()["candidates"][0]["child_id"] == str(world.child.pk)
    assert mine.get(_child_url(world.child.pk)).status_code == 200


@pytest.mark.parametrize(
    "body, errors",
    [
        ({}, {"request": ["Enter a surname and a date of birth or first name, or a UPN, to search"]}),
        (
            {"first_name": "Amara", "last_name": "Okafor3"},
            {"last_name": ["Names must contain letters, and no numbers"]},
        ),
        (
            {"last_name": "Okafor", "date_of_birth": "2999-01-01"},
            {"date_of_birth": ["Date of birth must be today or in the past"]},
        ),
        (
            {"last_name": "Okafor", "date_of_birth": "2015-02-30"},
            {"date_of_birth": ["Enter a real date in the form YYYY-MM-DD"]},
        ),
        (
            {"last_name": "Okafor", "first_name": "A" * 101},
            {"first_name": ["Must be 100 characters or fewer"]},
        ),
        ({"last_name": "Okafor", "sex": "X", "first_name": "Amara"}, {"sex": None}),
        ({"last_name": "Okafor", "firstname": "Amara"}, {"firstname": ["Onroll does not know this field"]}),
        (
            {"last_name": "Okafor", "first_name": "Amara", "parents": [{"phone": "0770"}]},
            {"parents.0.name": ["This field is required"]},
        ),
        ({"upn": "X123"}, {"upn": None}),
        (
            {"last_name": "Oka\x00for", "first_name": "Amara", "address": {"postcode": "NM1\t2AB"}},
            {
                "last_name": ["Must not contain control characters such as tabs, line breaks or NUL"],
                "address.postcode": ["Must not contain control characters such as tabs, line breaks or NUL"],
            },
        ),
        ({"last_name": "Okafor", "first_name": "Amara", "former_upn": "Z1"}, {"former_upn": None}),
    ],
)
def test_bad_search_input_gets_json_errors_per_field(api, world, body, errors):
    response = api(world.users.spa_officer).post(SEARCH, body)
    assert response.status_code == 422
    got = response.json()
    assert got["detail"] == "There is a problem with the request"
    assert set(got["errors"]) == set(errors)
    for field, messages in errors.items():
        assert got["errors"][field] and all(isinstance(m, str) and m for m in got["errors"][field])
        if messages is not None:
            assert got["errors"][field] == messages


def test_a_body_that_is_not_json_is_400_with_a_json_body(client, world):
    _, token = issue_token(world.users.spa_officer, "t")
    response = client.post(
        SEARCH, "{not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 400 and response.json()["detail"] == "Cannot parse request body"


def test_an_unusable_model_file_falls_back_with_the_notice_in_the_body(api, world, monkeypatch):
    def broken():
        raise scoring.ModelError("The matching model file was trained for comparisons version 'x'")

    monkeypatch.setattr(scoring, "current", broken)
    body = api(world.users.spa_officer).post(SEARCH, {**AMARA_AGAIN, "last_name": "Okafor"}).json()
    assert body["notice"].startswith("Matching is not available (The matching model file was trained")
    assert [c["child_id"] for c in body["candidates"]] == [str(world.child.pk)]
    assert body["candidates"][0]["reasons"] == ["same name and date of birth"]


# --- create only after a decision ----------------------------------------------------------------------


def test_create_without_a_decision_when_the_child_may_be_known_is_409_with_the_candidates(api, world):
    before = Child.objects.count()
    response = api(world.users.spa_officer).post(CHILDREN, AMARA_AGAIN)
    assert response.status_code == 409
    body = response.json()
    assert "send link_to" in body["detail"] and "confirm_new" in body["detail"]
    assert body["candidates"][0]["child_id"] == str(world.child.pk) and body["candidates"][0]["suggested"]
    assert body["candidates"][0]["reasons"]
    assert Child.objects.count() == before and not MatchDecision.objects.exists()


def test_link_to_records_a_linked_decision_and_creates_nothing(api, world):
    before = Child.objects.count()
    user = world.users.spa_officer
    response = api(user).post(CHILDREN, {**AMARA_AGAIN, "link_to": str(world.child.pk)})
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] == "linked" and body["child"]["id"] == str(world.child.pk)
    assert Child.objects.count() == before
    decision = MatchDecision.objects.get()
    assert decision.pk == uuid.UUID(body["decision_id"])
    assert (
        decision.decision == Decision.LINKED and decision.door == Door.API and decision.child == world.child
    )
    assert decision.created_by == user and decision.shown[0]["child"] == str(world.child.pk)
    assert decision.searched["last_name"] == "Okafur" and decision.model_version
    event = AuditEvent.objects.get(object_id=decision.pk)
    assert event.user == user and event.summary.startswith("Linked to existing child Amara Okafor")


def test_confirm_new_creates_the_child_and_records_a_new_decision(api, world):
    user = world.users.spa_officer
    response = api(user).post(CHILDREN, {**NEW_CHILD, "confirm_new": True})
    assert response.status_code == 201
    body = response.json()
    child = Child.objects.get(pk=body["child"]["id"])
    assert body["decision"] == "new"
    assert (child.legal_first_name, child.legal_last_name, child.preferred_first_name) == (
        "Zofia",
        "Wiśniewska",
        "Zosia",
    )
    assert child.la == world.la and child.date_of_birth == dt.date(2016, 9, 2) and child.sex == "F"
    assert child.addresses.get().postcode == "NM3 7QT"
    assert child.contacts.get().relationship == "Mother"
    assert body["child"]["former_names"] == [{"first_name": "Zofia", "last_name": "Kowalska"}]
    decision = MatchDecision.objects.get()
    assert decision.decision == Decision.NEW and decision.child == child and decision.door == Door.API
    summaries = set(AuditEvent.objects.filter(child_id=child.pk).values_list("summary", flat=True))
    assert "Created child record for Zofia Wiśniewska" in summaries
    assert any(s.startswith("Confirmed as a new child") for s in summaries)
    assert all(e.user == user for e in AuditEvent.objects.filter(child_id=child.pk))
    # The new child is now found by the next search.
    again = api(user).post(
        SEARCH, {"first_name": "Zosia", "last_name": "Kowalska", "date_of_birth": "2016-09-02"}
    )
    assert again.json()["candidates"][0]["child_id"] == str(child.pk)


def test_confirm_new_is_allowed_when_a_sibling_or_the_same_looking_child_is_shown(api, world):
    # A person decided these details are a different child (say, a twin): the API creates it.
    response = api(world.users.spa_officer).post(
        CHILDREN, {**AMARA_AGAIN, "first_name": "Adaeze", "confirm_new": True}
    )
    assert response.status_code == 201
    decision = MatchDecision.objects.get()
    assert decision.decision == Decision.NEW and decision.shown


def test_create_without_a_decision_when_nothing_matches_asks_for_confirm_new(api, world):
    response = api(world.users.spa_officer).post(CHILDREN, NEW_CHILD)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["confirm_new"]
    assert not Child.objects.filter(legal_first_name="Zofia").exists()


def test_create_needs_the_childs_name_and_date_of_birth(api, world):
    response = api(world.users.spa_officer).post(
        CHILDREN, {"upn": "B801200005001", "address": {"postcode": "NM1 2AB"}, "confirm_new": True}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"first_name", "last_name", "date_of_birth", "address.line_1"}


def test_a_bad_upn_on_create_is_a_field_error_and_nothing_is_written(api, world):
    before = Child.objects.count()
    response = api(world.users.spa_officer).post(CHILDREN, {**NEW_CHILD, "upn": "A12", "confirm_new": True})
    assert response.status_code == 422 and "upn" in response.json()["errors"]
    assert Child.objects.count() == before and not MatchDecision.objects.exists()


def test_a_nul_character_is_a_field_error_not_a_database_failure(api, world):
    # PostgreSQL refuses NUL in text; the API must say so per field before anything reaches the database.
    body = {**NEW_CHILD, "middle_names": "Anna\x00Maria", "confirm_new": True}
    response = api(world.users.spa_officer).post(CHILDREN, body)
    assert response.status_code == 422 and list(response.json()["errors"]) == ["middle_names"]
    assert not Child.objects.filter(legal_first_name="Zofia").exists()


def test_both_decisions_at_once_is_an_error(api, world):
    body = {**AMARA_AGAIN, "link_to": str(world.child.pk), "confirm_new": True}
    response = api(world.users.spa_officer).post(CHILDREN, body)
    assert response.status_code == 422 and "request" in response.json()["errors"]


def test_link_to_a_child_out_of_scope_is_404_and_records_nothing(api, world):
    body = {"first_name": "Tom", "last_name": "Pryce", "link_to": str(world.other_child.pk)}
    response = api(world.users.spa_officer).post(CHILDREN, {**body, "date_of_birth": "2015-01-01"})
    assert response.status_code == 404 and response.json()["detail"] == "Not found"
    response = api(world.users.spa_officer).post(CHILDREN, {**AMARA_AGAIN, "link_to": str(uuid.uuid4())})
    assert response.status_code == 404
    assert not MatchDecision.objects.exists()


def test_link_to_a_visible_child_that_the_search_did_not_find_is_refused(api, world):
    body = {**NEW_CHILD, "link_to": str(world.child.pk)}
    response = api(world.users.spa_officer).post(CHILDREN, body)
    assert response.status_code == 422 and "link_to" in response.json()["errors"]
    assert not MatchDecision.objects.exists()


@pytest.mark.parametrize("persona", ["school_dsl", "partner", "senior_leader", "system_admin"])
def test_roles_that_cannot_edit_children_get_403_on_create(api, world, persona):
    response = api(getattr(world.users, persona)).post(CHILDREN, {**NEW_CHILD, "confirm_new": True})
    assert response.status_code == 403 and response.json()["detail"] == "Your role does not allow this"
    assert not Child.objects.filter(legal_first_name="Zofia").exists()


def test_a_role_that_cannot_see_children_gets_403_on_search(api, world):
    response = api(world.users.system_admin).post(SEARCH, AMARA_AGAIN)
    assert response.status_code == 403 and response.json()["detail"]


# --- reading a child ----------------------------------------------------------------------------------


def test_get_a_child_is_audited_as_a_view(api, world):
    user = world.users.spa_officer
    response = api(user).get(_child_url(world.child.pk))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(world.child.pk) and body["upn"] == "B801200005001" and body["la_code"] == "990"
    assert body["enrolments"][0]["school"] == "Hillside Primary School"
    assert body["web_url"].endswith(f"/children/{world.child.pk}/")
    event = AuditEvent.objects.get(child_id=world.child.pk, action=Action.VIEW)
    assert event.user == user and event.summary == "Viewed child through the API"


def test_confidential_addresses_only_for_roles_allowed_to_see_them(api, world):
    spa = api(world.users.spa_officer).get(_child_url(world.child.pk)).json()
    assert [a["line_1"] for a in spa["addresses"]] == ["12 Mill Lane"]
    cme = api(world.users.cme_officer).get(_child_url(world.child.pk)).json()
    assert {a["line_1"] for a in cme["addresses"]} == {"12 Mill Lane", "Refuge address"}


def test_get_out_of_scope_or_unknown_is_404_and_not_audited(api, world):
    caller = api(world.users.cme_officer)
    for child_id in (world.other_child.pk, uuid.uuid4()):
        response = caller.get(_child_url(child_id))
        assert response.status_code == 404 and response.json() == {"detail": "Not found", "errors": {}}
    response = caller.get(f"{CHILDREN}/not-a-uuid")
    assert response.status_code == 422 and "child_id" in response.json()["errors"]
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()


def test_any_other_address_under_the_api_is_a_json_404(api, world):
    for url in ("/api/v1/", "/api/v1/nothing-here", "/api/v2/children"):
        response = api(world.users.cme_officer).get(url)
        assert response.status_code == 404 and response.json()["detail"].startswith("Not found")


def test_the_docs_are_for_signed_in_users(client, login, world):
    assert client.get("/api/v1/docs").status_code == 302
    assert client.get("/api/v1/openapi.json").status_code == 302
    signed_in = login(world.users.spa_officer)
    assert signed_in.get("/api/v1/docs").status_code == 200
    schema = signed_in.get("/api/v1/openapi.json").json()
    assert {"/api/v1/children/search", "/api/v1/children", "/api/v1/children/{child_id}"} <= set(
        schema["paths"]
    )
    assert reverse("api_v1:openapi-view") == "/api/v1/docs"


@pytest.mark.parametrize(
    "method, url",
    [("get", SEARCH), ("get", CHILDREN), ("put", "/api/v1/children/{child}"), ("delete", SEARCH)],
)
def test_a_wrong_method_is_a_json_405(api, world, method, url):
    caller = api(world.users.cme_officer)
    response = getattr(caller.client, method)(
        url.format(child=world.child.pk), HTTP_AUTHORIZATION=f"Bearer {caller.token}"
    )
    assert response.status_code == 405 and response.json()["detail"].startswith(
        "Method not allowed here: use"
    )
    assert response["Allow"]


# --- retrying a create is safe with an Idempotency-Key --------------------------------------------------


def _create(caller, body, key):
    return caller.client.post(
        CHILDREN,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {caller.token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_retried_create_with_the_same_key_gets_the_first_answer_not_a_second_child(api, world):
    caller = api(world.users.spa_officer)
    body = {**NEW_CHILD, "confirm_new": True}
    first = _create(caller, body, "intake-7781")
    again = _create(caller, body, "intake-7781")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert again.json() == first.json()
    assert Child.objects.filter(legal_first_name="Zofia").count() == 1 and MatchDecision.objects.count() == 1
    # Without the key, confirming new again is taken as a person's decision: a second record is made.
    assert caller.post(CHILDREN, body).status_code == 201
    assert Child.objects.filter(legal_first_name="Zofia").count() == 2


def test_a_key_reused_for_other_details_is_refused(api, world):
    caller = api(world.users.spa_officer)
    assert _create(caller, {**NEW_CHILD, "confirm_new": True}, "intake-1").status_code == 201
    response = _create(caller, {**NEW_CHILD, "first_name": "Zuzanna", "confirm_new": True}, "intake-1")
    assert response.status_code == 422 and "Idempotency-Key" in response.json()["errors"]
    assert not Child.objects.filter(legal_first_name="Zuzanna").exists()


def test_a_request_that_failed_is_not_remembered_for_its_key(api, world):
    caller = api(world.users.spa_officer)
    assert _create(caller, AMARA_AGAIN, "intake-2").status_code == 409
    linked = _create(caller, {**AMARA_AGAIN, "link_to": str(world.child.pk)}, "intake-2")
    assert linked.status_code == 200 and linked.json()["decision"] == "linked"
    replay = _create(caller, {**AMARA_AGAIN, "link_to": str(world.child.pk)}, "intake-2")
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert MatchDecision.objects.count() == 1


def test_keys_belong_to_their_user(api, world):
    body = {**NEW_CHILD, "confirm_new": True}
    assert _create(api(world.users.spa_officer), body, "same-key").status_code == 201
    other = _create(api(world.users.cme_officer), body, "same-key")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other


def test_two_requests_with_one_key_at_once_make_one_child(api, world, monkeypatch):
    # The second request checks for an earlier answer before the first has saved its own; its insert of
    # the key then fails, its work is rolled back, and it answers as the first did.
    from onroll.api import services

    caller = api(world.users.spa_officer)
    body = {**NEW_CHILD, "confirm_new": True}
    first = _create(caller, body, "intake-race")
    real = services._earlier_answer
    calls = []

    def not_yet_then_real(user, key, details):
        calls.append(key)
        return None if len(calls) == 1 else real(user, key, details)

    monkeypatch.setattr(services, "_earlier_answer", not_yet_then_real)
    second = _create(caller, body, "intake-race")
    assert len(calls) == 2 and second.status_code == 201 and second["Idempotent-Replayed"] == "true"
    assert second.json()["child"]["id"] == first.json()["child"]["id"]
    assert Child.objects.filter(legal_first_name="Zofia").count() == 1 and MatchDecision.objects.count() == 1


def test_link_to_adds_the_address_and_parents_the_record_lacks(api, world):
    """As the referral form does: the known child keeps what the caller knew and the record did not."""
    body = {
        **AMARA_AGAIN,
        "address": {"line_1": "3 New Road", "postcode": "NM2 1AA"},
        "parents": [{"name": "Grace Okafor"}, {"name": "Daniel Okafor", "phone": "07700 900456"}],
        "link_to": str(world.child.pk),
    }
    addresses, contacts = world.child.addresses.count(), world.child.contacts.count()
    had_grace = world.child.contacts.filter(name="Grace Okafor").exists()
    response = api(world.users.spa_officer).post(CHILDREN, body)
    assert response.status_code == 200 and response.json()["decision"] == "linked"
    assert world.child.addresses.filter(line_1="3 New Road").exists()
    assert world.child.addresses.count() == addresses + 1
    names = list(world.child.contacts.values_list("name", flat=True))
    assert names.count("Daniel Okafor") == 1 and names.count("Grace Okafor") <= 1
    assert world.child.contacts.count() == contacts + 1 + (not had_grace)
    assert AuditEvent.objects.filter(child_id=world.child.pk, summary="Added an address").exists()
