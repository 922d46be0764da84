"""Every view of a child or case page, and every change, leaves an append-only audit row."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils.html import escape

from onroll.audit.models import Action, AuditEvent


def _events(**kw):
    return AuditEvent.objects.filter(**kw)


def test_viewing_a_child_is_audited(login, world):
    client = login(world.users.cme_officer)
    client.get(reverse("web:child", args=[world.child.pk]))
    event = _events(action=Action.VIEW, child_id=world.child.pk).get()
    assert event.user == world.users.cme_officer and event.object_type == "children.child"


def test_viewing_a_case_is_audited(login, world):
    client = login(world.users.school_dsl)
    client.get(reverse("web:case", args=[world.case.pk]))
    event = _events(action=Action.VIEW, object_id=world.case.pk).get()
    assert event.user == world.users.school_dsl and event.child_id == world.child.pk


def test_out_of_scope_view_is_not_recorded_as_a_view(login, world):
    client = login(world.users.other_la_officer)
    assert client.get(reverse("web:child", args=[world.child.pk])).status_code == 404
    assert not _events(action=Action.VIEW).exists()


@pytest.mark.parametrize(
    "url_name, data, action",
    [
        ("web:add_note", {"text": "Called the family"}, Action.CREATE),
        (
            "web:record_contact",
            {
                "made_on_0": "2",
                "made_on_1": "10",
                "made_on_2": "2026",
                "method": "phone",
                "contacted": "Mother, mobile",
                "outcome": "no_answer",
            },
            Action.CREATE,
        ),
    ],
)
def test_changes_are_audited(login, world, url_name, data, action):
    client = login(world.users.cme_officer)
    response = client.post(reverse(url_name, args=[world.case.pk]), data)
    assert response.status_code == 302
    assert _events(action=action, child_id=world.child.pk, username="cme_officer").count() == 1


def test_status_change_and_close_are_audited(login, world):
    client = login(world.users.cme_officer)
    case = world.case
    client.post(
        reverse("web:change_status", args=[case.pk]),
        {
            "to_category": "missing_not_located",
            "reason": "Family not at address",
            "version": case.modified_at.isoformat(),
        },
    )
    case.refresh_from_db()
    assert case.category == "missing_not_located"
    client.post(
        reverse("web:close_case", args=[case.pk]),
        {
            "outcome": "back_on_roll",
            "school": str(world.other_school.pk),
            "on_roll_from_0": "2",
            "on_roll_from_1": "11",
            "on_roll_from_2": "2026",
            "date_closed_0": "3",
            "date_closed_1": "11",
            "date_closed_2": "2026",
            "reason": "",
            "version": case.modified_at.isoformat(),
        },
    )
    case.refresh_from_db()
    assert case.category == "closed" and case.outcome == "back_on_roll"
    assert _events(action=Action.STATUS_CHANGE, object_id=case.pk).count() == 1
    assert _events(action=Action.CLOSE, object_id=case.pk).count() == 1


def test_audit_rows_cannot_be_changed_or_deleted(login, world):
    login(world.users.cme_officer).get(reverse("web:child", args=[world.child.pk]))
    event = _events(action=Action.VIEW).get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    # The database refuses too, whatever the ORM is asked.
    for attempt in (
        lambda: _events(pk=event.pk).update(summary="rewritten"),
        lambda: _events(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert _events(pk=event.pk, summary=event.summary).exists()


def test_manager_sees_who_viewed_the_child(login, world):
    login(world.users.school_dsl).get(reverse("web:child", args=[world.child.pk]))
    client = login(world.users.panel_chair)
    page = client.get(reverse("web:child_audit", args=[world.child.pk])).content.decode()
    # Names come from Faker and may hold an apostrophe, which the page escapes.
    assert "Who viewed this child" in page and escape(str(world.users.school_dsl)) in page


def test_sign_in_is_audited(client, world):
    client.post(reverse("web:login"), {"username": "cme_officer", "password": "correct-horse-battery"})
    assert _events(action=Action.SIGN_IN, username="cme_officer").exists()


def test_admin_changes_are_copied_into_the_audit_log(client, world):
    client.force_login(world.users.system_admin)
    response = client.post(
        "/admin/casework/reason/other/change/",
        {"label": "Other (say why in a note)", "source": "Onroll", "verified": "on", "active": "on"},
    )
    assert response.status_code == 302
    event = _events(username="system_admin", object_type="casework.reason").get()
    assert event.action == Action.UPDATE and "Other (say why in a note)" in event.summary


def test_admin_can_read_but_not_edit_or_delete_audit_events(client, world):
    client.force_login(world.users.system_admin)  # signing in writes the event we try to delete
    event = _events(action=Action.SIGN_IN).get()
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert _events(pk=event.pk).exists()
