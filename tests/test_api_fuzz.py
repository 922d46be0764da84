"""Whatever a client sends to the search, the API answers 200, 400 or 422 with a JSON body: never a
server error, never HTML. Hypothesis makes the bodies (nonsense names, absurd dates, wrong types)."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onroll.api.tokens import issue_token

FIELDS = ["first_name", "last_name", "middle_names", "preferred_first_name", "date_of_birth", "sex", "upn"]
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=120),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=6,
)
field_values = {
    "first_name": st.text(max_size=110) | anything,
    "last_name": st.sampled_from(["Okafor", "Okafur", "O'Neil", "Smith-Jones", "ŁUKASZ", ""])
    | st.text(max_size=30),
    "middle_names": st.text(max_size=30),
    "preferred_first_name": st.text(max_size=30),
    "date_of_birth": st.dates().map(str) | st.text(max_size=12) | anything,
    "sex": st.sampled_from(["F", "M", "U", "", "X", "female"]) | anything,
    "upn": st.text(max_size=20) | st.sampled_from(["B801200005001", "A000000000000"]),
    "address": st.fixed_dictionaries(
        {}, optional={"line_1": st.text(max_size=40), "postcode": st.text(max_size=12)}
    )
    | anything,
    "parents": st.lists(
        st.fixed_dictionaries({"name": st.text(max_size=30)}, optional={"phone": st.text()}), max_size=2
    )
    | anything,
}
bodies = st.fixed_dictionaries({}, optional=field_values) | anything


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_search_never_fails_with_a_server_error(client, world, body):
    token = getattr(world, "_fuzz_token", None) or issue_token(world.users.cme_officer, "fuzz")[1]
    world._fuzz_token = token
    response = client.post(
        "/api/v1/children/search",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (200, 400, 422), response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    answer = response.json()
    assert ("candidates" in answer) if response.status_code == 200 else answer["detail"]


decisions = st.fixed_dictionaries(
    {},
    optional={
        "confirm_new": st.booleans() | anything,
        "link_to": st.uuids().map(str) | anything,
    },
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({}, optional=field_values), decision=decisions)
def test_create_never_fails_with_a_server_error(client, world, body, decision):
    token = getattr(world, "_fuzz_token", None) or issue_token(world.users.spa_officer, "fuzz")[1]
    world._fuzz_token = token
    response = client.post(
        "/api/v1/children",
        json.dumps({**body, **decision}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (200, 201, 400, 404, 409, 422), response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()
