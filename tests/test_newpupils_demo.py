"""The demo has new pupil returns: one on time, one late, one that found a child the LA was looking for."""

import datetime as dt

from django.urls import reverse

from onroll.accounts.models import User
from onroll.demo.generator import generate
from onroll.demo.issue4 import add_issue4
from onroll.demo.procedures import start_procedures
from onroll.matching.models import Decision
from onroll.newpupils.demo import add_new_pupil_returns
from onroll.newpupils.models import NewPupilReturn

SMALL = {"la_code": "985", "name": "Northmere", "n_children": 500, "n_cases": 90, "n_schools": 3, "seed": 7}


def test_the_demo_has_returns_and_a_child_found(db, client):
    today = dt.date(2026, 3, 16)
    result = generate(**SMALL, batch_size=500, today=today, attendance=False)
    start_procedures(result.la, today)
    add_issue4(result.la, today, seed=SMALL["seed"])
    summary = add_new_pupil_returns(result.la, today)
    assert summary == "New pupil returns: 3 (1 late, 1 found a child with an open case)."
    returns = NewPupilReturn.objects.filter(school__la=result.la)
    found = returns.get(found_case__isnull=False)
    assert found.known_child and found.decision.decision == Decision.LINKED
    assert found.review_task.role == "cme_officer" and found.child.enrolments.filter(school=found.school)
    client.force_login(User.objects.get(username="cme.officer"))
    listing = client.get(reverse("web:new_pupil_returns")).content.decode()
    assert "Children found" in listing and found.found_case.reference in listing and "Late" in listing
