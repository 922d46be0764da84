"""Pages about one CTF file, move or arrival notice: 200 for exactly these personas, 404 for the rest."""

import datetime as dt

import pytest
from django.urls import reverse

from onroll.transfers.ctf_held import hold_ctf
from onroll.transfers.ctf_import import apply_ctf, check_ctf
from onroll.transfers.models import ArrivalNotice
from onroll.transfers.services import produce_ctf, record_arrival, record_move

from .test_matching_ctf import amara_ctf
from .test_permission_matrix import PERSONAS

TRACKERS = {"spa_officer", "cme_officer", "business_support"}
TRANSFERS_MATRIX = [
    ("web:download_ctf", "ctf", {"school_dsl", "cme_officer", "business_support"}),
    ("web:move_notification", "move", TRACKERS),
    ("web:move_notified", "move", TRACKERS),
    ("web:confirm_move", "move", TRACKERS),
    ("web:arrival", "notice", TRACKERS),
    ("web:arrival_case", "linked_notice", TRACKERS),
    ("web:ctf_review", "held", {"cme_officer"}),  # a held CTF is its uploader's alone
]
KEYS = {
    "ctf": "ctf_id",
    "move": "move_id",
    "notice": "notice_id",
    "linked_notice": "notice_id",
    "held": "held_id",
}


@pytest.fixture
def objects(world):
    today = dt.date.today()
    notice_data = {
        "from_la": world.other_la,
        "received_on": today,
        "sender": "Southdale CME",
        "first_name": "Kit",
        "last_name": "Marlow",
        "date_of_birth": dt.date(2014, 5, 2),
        "sex": "M",
    }
    linked = record_arrival(world.users.cme_officer, notice_data, today=today)
    ArrivalNotice.objects.filter(pk=linked.pk).update(child=world.child, status="linked")
    held_file = amara_ctf(world)
    checked = check_ctf(world.users.cme_officer, held_file, "amara.XML", today=today)
    apply_ctf(world.users.cme_officer, checked, choices=None)
    return {
        "held": hold_ctf(world.users.cme_officer, held_file, checked),
        "ctf": produce_ctf(world.users.school_dsl, world.child, "unknown", now=dt.datetime(2026, 1, 15, 9)),
        "move": record_move(
            world.users.cme_officer,
            world.case,
            {"destination": "abroad", "country": "Portugal", "moved_on": today, "how_known": "Neighbour"},
            today=today,
        ),
        "notice": record_arrival(world.users.cme_officer, notice_data, today=today),
        "linked_notice": linked,
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "name, obj, allowed", TRANSFERS_MATRIX, ids=[f"{m[0]}:{m[1]}" for m in TRANSFERS_MATRIX]
)
def test_transfer_pages(client, world, objects, persona, name, obj, allowed):
    if persona != "anonymous":
        client.force_login(getattr(world.users, persona))
    response = client.get(reverse(name, kwargs={KEYS[obj]: objects[obj].pk}))
    expected = 302 if persona == "anonymous" else 200 if persona in allowed else 404
    assert response.status_code == expected, f"{persona} on {name}"


@pytest.mark.parametrize("persona", ["other_la_officer", "school_dsl", "partner", "senior_leader"])
def test_linking_a_notice_out_of_reach_is_404_and_changes_nothing(client, world, objects, persona):
    client.force_login(getattr(world.users, persona))
    notice = objects["notice"]
    assert client.post(reverse("web:link_arrival", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.child_id is None
