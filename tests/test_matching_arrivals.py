"""Search before create at arrival notices: the children who may be the notified child, ranked with reasons,
and the officer's choice (link or a new child) recorded as a matching decision with door "arrival"."""

import datetime as dt

from django.urls import reverse

from onroll.audit.models import AuditEvent
from onroll.children.models import Child
from onroll.matching.models import Decision, MatchDecision
from onroll.transfers.models import ArrivalNotice, ArrivalStatus

from .test_transfers_web import date_fields


def notice_for_amara(world, login):
    """Southdale tells us about "Amara Okafur" (surname misspelt, no UPN) at Amara Okafor's address."""
    client = login(world.users.cme_officer)
    client.post(
        reverse("web:new_arrival"),
        {
            "from_la": str(world.other_la.pk),
            **date_fields("received_on", dt.date.today()),
            "sender": "Southdale CME team",
            "first_name": "Amara",
            "last_name": "Okafur",
            **date_fields("date_of_birth", dt.date(2015, 3, 14)),
            "sex": "F",
            "address": "12 Mill Lane, Northmere, NM1 2AB",
        },
    )
    return client, ArrivalNotice.objects.get()


def test_the_arrival_page_shows_candidates_ranked_with_reasons(world, login):
    client, notice = notice_for_amara(world, login)
    page = client.get(reverse("web:arrival", args=[notice.pk])).content.decode()
    assert "Is this a child Onroll knows?" in page and "Amara Okafor" in page
    assert "Very likely the same child" in page and "% match:" in page
    assert "same date of birth" in page and "surname sounds the same" in page and "same address" in page
    assert "None of these: this is a new child" in page
    assert "Tom Pryce" not in page  # someone else entirely


def test_linking_records_the_decision(world, login):
    client, notice = notice_for_amara(world, login)
    response = client.post(
        reverse("web:link_arrival", args=[notice.pk]), {"match_choice": str(world.child.pk)}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.child == world.child and notice.status == ArrivalStatus.LINKED
    decision = MatchDecision.objects.get()
    assert (decision.door, decision.decision, decision.child) == ("arrival", Decision.LINKED, world.child)
    assert decision.shown[0]["child"] == str(world.child.pk) and decision.searched["last_name"] == "Okafur"
    assert decision.created_by == world.users.cme_officer
    assert AuditEvent.objects.filter(object_id=decision.pk, child_id=world.child.pk).exists()


def test_a_new_child_records_the_decision_with_what_was_shown(world, login):
    client, notice = notice_for_amara(world, login)
    children = Child.objects.count()
    client.post(reverse("web:link_arrival", args=[notice.pk]), {"match_choice": "new"})
    notice.refresh_from_db()
    assert Child.objects.count() == children + 1 and notice.child.legal_last_name == "Okafur"
    decision = MatchDecision.objects.get()
    assert (decision.door, decision.decision, decision.child) == ("arrival", Decision.NEW, notice.child)
    assert decision.shown[0]["child"] == str(world.child.pk)


def test_a_missing_or_unshown_choice_shows_an_error_and_changes_nothing(world, login):
    from .factories import ChildFactory

    unlike = ChildFactory(la=world.la, legal_first_name="Zed", legal_last_name="Ward")  # seen, not shown
    client, notice = notice_for_amara(world, login)
    children = Child.objects.count()
    for posted in ({}, {"match_choice": str(unlike.pk)}):
        response = client.post(reverse("web:link_arrival", args=[notice.pk]), posted)
        page = response.content.decode()
        assert response.status_code == 200 and "There is a problem" in page
        assert "Select one of the children shown, or that this is a new child" in page
        assert 'href="#match_choice-1"' in page
    notice.refresh_from_db()
    assert notice.child is None and Child.objects.count() == children and not MatchDecision.objects.exists()


def test_a_child_out_of_sight_answers_404(world, login):
    from .factories import ChildFactory

    hidden = ChildFactory(la=world.other_la, legal_first_name="Amara", legal_last_name="Okafor")
    client, notice = notice_for_amara(world, login)
    response = client.post(reverse("web:link_arrival", args=[notice.pk]), {"match_choice": str(hidden.pk)})
    assert response.status_code == 404 and not MatchDecision.objects.exists()
