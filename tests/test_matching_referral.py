"""Search before create on the referral form: candidates with reasons, link or confirm new, audited."""

import uuid

from django.urls import reverse

from onroll.audit.models import AuditEvent
from onroll.children.models import Child
from onroll.matching.models import Decision, MatchDecision
from onroll.referrals.models import Referral

from .test_referral_and_bad_input import _valid


def _amara_again(**overrides):
    # Amara Okafor (born 14 March 2015, 12 Mill Lane NM1 2AB) referred again with her surname misspelt.
    return _valid(
        first_name="Amara",
        last_name="Okafur",
        date_of_birth_0="14",
        date_of_birth_1="3",
        date_of_birth_2="2015",
        address_line_1="12 Mill Lane",
        postcode="NM1 2AB",
        parent_1_name="Grace Okafor",
        **overrides,
    )


def test_a_known_child_is_shown_with_reasons_and_nothing_is_created(login, world):
    client = login(world.users.spa_officer)
    response = client.post(reverse("web:new_referral"), _amara_again())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Is this child already known?" in page
    assert "Amara Okafor" in page and "Very likely the same child" in page
    assert "same date of birth" in page and "surname sounds the same" in page and "same address" in page
    assert "None of these: this is a new child" in page
    assert Child.objects.count() == 2 and not Referral.objects.exists() and not MatchDecision.objects.exists()


def test_linking_uses_the_existing_child_and_audits_the_decision(login, world):
    client = login(world.users.spa_officer)
    response = client.post(reverse("web:new_referral"), _amara_again(match_choice=str(world.child.pk)))
    referral = Referral.objects.get()
    assert response.status_code == 302 and referral.child == world.child
    assert Child.objects.count() == 2
    # The address she already has is not added twice; the referral's parent is already known too.
    assert world.child.addresses.filter(line_1="12 Mill Lane").count() == 1
    assert world.child.contacts.filter(name="Grace Okafor").count() == 1
    decision = MatchDecision.objects.get()
    assert decision.decision == Decision.LINKED and decision.child == world.child
    assert decision.door == "referral" and decision.shown[0]["child"] == str(world.child.pk)
    assert decision.created_by == world.users.spa_officer
    event = AuditEvent.objects.get(object_id=decision.pk)
    assert event.child_id == world.child.pk and event.summary.startswith(
        "Linked to existing child Amara Okafor"
    )


def test_confirming_a_new_child_creates_one_and_audits_it(login, world):
    client = login(world.users.spa_officer)
    response = client.post(reverse("web:new_referral"), _amara_again(match_choice="new"))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.child != world.child and Child.objects.count() == 3
    decision = MatchDecision.objects.get()
    assert decision.decision == Decision.NEW and decision.child == referral.child and decision.shown
    assert AuditEvent.objects.filter(summary__startswith="Confirmed as a new child").exists()


def test_a_choice_that_was_not_offered_gets_an_error_and_saves_nothing(login, world):
    client = login(world.users.spa_officer)
    response = client.post(reverse("web:new_referral"), _amara_again(match_choice=str(uuid.uuid4())))
    assert response.status_code == 200
    assert "Select one of the children shown, or that this is a new child" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert not Referral.objects.exists() and Child.objects.count() == 2
    # Nor can a child outside the search be linked by posting its id.
    response = client.post(reverse("web:new_referral"), _amara_again(match_choice=str(world.other_child.pk)))
    assert response.status_code == 200 and not Referral.objects.exists()


def test_no_candidates_creates_the_child_and_still_records_the_search(login, world):
    response = login(world.users.spa_officer).post(reverse("web:new_referral"), _valid())
    assert response.status_code == 302
    decision = MatchDecision.objects.get()
    assert decision.decision == Decision.NEW and decision.shown == []


def test_candidates_are_only_children_the_referrer_may_see(login, world):
    # Another school's DSL does not see Amara, so she is not offered to them as a candidate.
    response = login(world.users.other_school_dsl).post(reverse("web:new_referral"), _amara_again())
    assert response.status_code == 302
    assert Referral.objects.get().child != world.child


def test_the_search_page_shows_reasons_and_clear_messages(login, world):
    from django.urls import reverse as r

    client = login(world.users.spa_officer)
    page = client.get(
        r("web:find_child"),
        {
            "first_name": "Amarah",
            "last_name": "Okafor",
            "date_of_birth_0": "14",
            "date_of_birth_1": "3",
            "date_of_birth_2": "2015",
        },
    ).content.decode()
    assert "Amara Okafor" in page and "same date of birth" in page and "Very likely the same child" in page
    empty = client.get(r("web:find_child"), {"first_name": "", "last_name": ""}).content.decode()
    assert (
        "govuk-error-summary" in empty
        and "Enter a surname and a date of birth or first name, or a UPN" in empty
    )
    absurd = client.get(r("web:find_child"), {"last_name": "12345", "first_name": "Amara"}).content.decode()
    assert "Names must contain letters, and no numbers" in absurd
    # Another school's DSL cannot find Amara: the search stays inside what they may see.
    other = (
        login(world.users.other_school_dsl)
        .get(r("web:find_child"), {"first_name": "Amara", "last_name": "Okafor"})
        .content.decode()
    )
    assert "No child you can see looks like this child" in other
