"""The transfer pages end to end: import a CTF, produce and download one, moves and arrivals."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onroll.casework.models import Case, Reason
from onroll.children.models import Child
from onroll.procedures.models import Task, TaskStatus
from onroll.transfers.models import ArrivalNotice, ArrivalStatus, CtfFile, Move, MoveStatus
from onroll.transfers.synthetic import make_upn, synthetic_ctf


def date_fields(name, d: dt.date) -> dict:
    return {f"{name}_0": str(d.day), f"{name}_1": str(d.month), f"{name}_2": str(d.year)}


def test_a_school_uploads_a_ctf_and_then_sees_the_new_pupil(world, login):
    client = login(world.users.school_dsl)
    data = synthetic_ctf(2, source="9913001", destination=world.school.laestab)
    response = client.post(
        reverse("web:import_ctf"),
        {
            "file": SimpleUploadedFile("in.XML", data, "application/xml"),
            **date_fields("joined_on", dt.date(2026, 1, 5)),
        },
        follow=True,
    )
    assert "Imported 2 pupils from in.XML: 2 new" in response.content.decode()
    child = Child.objects.get(upn=make_upn("991", "3001", 1))
    assert client.get(reverse("web:child", args=[child.pk])).status_code == 200
    again = client.post(
        reverse("web:import_ctf"),
        {
            "file": SimpleUploadedFile("in.XML", data, "application/xml"),
            **date_fields("joined_on", dt.date(2026, 1, 5)),
        },
        follow=True,
    )
    assert "was already imported" in again.content.decode()
    assert Child.objects.filter(upn=make_upn("991", "3001", 1)).count() == 1


def test_a_school_must_say_when_the_pupils_joined(world, login):
    client = login(world.users.school_dsl)
    data = synthetic_ctf(1, source="9913001", destination=world.school.laestab)
    response = client.post(reverse("web:import_ctf"), {"file": SimpleUploadedFile("in.XML", data)})
    assert "Enter the date the pupils joined your school" in response.content.decode()
    assert not CtfFile.objects.exists()


def test_produce_from_the_child_page_and_download(world, login):
    client = login(world.users.school_dsl)
    page = client.get(reverse("web:child", args=[world.child.pk])).content.decode()
    assert reverse("web:child_ctf", args=[world.child.pk]) in page
    response = client.post(
        reverse("web:child_ctf", args=[world.child.pk]), {"destination_kind": "unknown"}, follow=True
    )
    ctf = CtfFile.objects.get()
    assert ctf.file_name in response.content.decode()
    download = client.get(reverse("web:download_ctf", args=[ctf.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{ctf.file_name}"'
    assert b"<CTfile>" in download.content and b"B801200005001" in download.content
    # Another school cannot download it.
    other = login(world.users.other_school_dsl)
    assert other.get(reverse("web:download_ctf", args=[ctf.pk])).status_code == 404


def test_a_wrong_destination_shows_the_error_summary(world, login):
    client = login(world.users.school_dsl)
    response = client.post(
        reverse("web:child_ctf", args=[world.child.pk]),
        {"destination_kind": "school", "la_number": "977", "estab_number": "1234"},
    )
    body = response.content.decode()
    assert "There is a problem" in body and "LA number 977 is not known" in body
    assert not CtfFile.objects.exists()


def test_record_a_move_notify_and_confirm(world, login):
    client = login(world.users.cme_officer)
    case_page = client.get(reverse("web:case", args=[world.case.pk])).content.decode()
    assert reverse("web:case_moves", args=[world.case.pk]) in case_page
    response = client.post(
        reverse("web:record_move", args=[world.case.pk]),
        {
            "destination": "other_la",
            "to_la": str(world.other_la.pk),
            **date_fields("moved_on", dt.date(2026, 1, 5)),
            "new_address": "4 Harbour Row, Southdale",
            "how_known": "Mother phoned the school",
        },
    )
    assert response.status_code == 302
    move = Move.objects.get()
    assert move.task.title.startswith("Confirm Amara Okafor is on a roll") and move.task.due_on is not None
    notification = client.get(reverse("web:move_notification", args=[move.pk])).content.decode()
    for words in (
        "Amara Okafor",
        "14 March 2015",
        "B801200005001",
        "4 Harbour Row",
        "Grace Okafor",
        world.case.reference,
    ):
        assert words in notification, words
    assert "Refuge address" not in notification
    client.post(reverse("web:move_notified", args=[move.pk]), date_fields("notified_on", dt.date.today()))
    move.refresh_from_db()
    assert move.notified_on == dt.date.today()
    # A confirmation dated before the move is refused, and nothing changes.
    bad = client.post(
        reverse("web:confirm_move", args=[move.pk]),
        {
            "confirmed_how": "on_roll",
            "confirmed_school": "Southdale Academy",
            **date_fields("confirmed_on", dt.date(2025, 12, 1)),
            "confirmed_by_name": "J Bell, Southdale CME",
            "confirmation_evidence": "Email",
        },
    )
    assert "must be on or after 5 January 2026" in bad.content.decode()
    move.refresh_from_db()
    assert move.status == MoveStatus.AWAITING
    client.post(
        reverse("web:confirm_move", args=[move.pk]),
        {
            "confirmed_how": "on_roll",
            "confirmed_school": "Southdale Academy",
            **date_fields("confirmed_on", dt.date.today()),
            "confirmed_by_name": "J Bell, Southdale CME",
            "confirmation_evidence": "Email confirming the child is on roll",
        },
    )
    move.refresh_from_db()
    assert move.status == MoveStatus.CONFIRMED and move.confirmed_school == "Southdale Academy"
    task = Task.objects.get(pk=move.task_id)
    assert task.status == TaskStatus.DONE and "J Bell" in task.evidence
    world.case.refresh_from_db()
    assert world.case.is_open  # closing with its outcome is a separate decision


def test_a_move_needs_where_and_how_known(world, login):
    client = login(world.users.cme_officer)
    response = client.post(
        reverse("web:record_move", args=[world.case.pk]),
        {"destination": "abroad", **date_fields("moved_on", dt.date(2026, 1, 5))},
    )
    body = response.content.decode()
    assert "Enter the country the child has moved to" in body
    assert "Say how the move is known" in body
    assert not Move.objects.exists() and not Task.objects.exists()


def test_an_arrival_is_recorded_linked_to_a_new_child_and_a_case_opened(world, login):
    client = login(world.users.cme_officer)
    response = client.post(
        reverse("web:new_arrival"),
        {
            "from_la": str(world.other_la.pk),
            **date_fields("received_on", dt.date.today()),
            "sender": "Southdale CME team, cme@southdale.example",
            "first_name": "Kit",
            "last_name": "Marlow",
            **date_fields("date_of_birth", dt.date(2014, 5, 2)),
            "sex": "M",
            "address": "9 Quay Street\nNorthmere",
            "details": "Family moved after eviction",
        },
    )
    assert response.status_code == 302
    notice = ArrivalNotice.objects.get()
    listing = client.get(reverse("web:arrivals")).content.decode()
    assert "Kit Marlow" in listing and "Southdale" in listing
    client.post(reverse("web:link_arrival", args=[notice.pk]), {"match_choice": "new"})
    notice.refresh_from_db()
    assert notice.status == ArrivalStatus.LINKED and notice.child.addresses.get().line_1 == "9 Quay Street"
    reason = Reason.objects.first()
    response = client.post(
        reverse("web:arrival_case", args=[notice.pk]),
        {"category": "missing_located", "primary_reason": reason.pk},
    )
    case = Case.objects.get(child=notice.child)
    assert response.status_code == 302 and response["Location"] == reverse("web:case", args=[case.pk])
    assert case.referral_source == "other_la" and case.date_identified == notice.received_on
    notice.refresh_from_db()
    assert notice.status == ArrivalStatus.CASE_OPENED


def test_an_arrival_links_to_a_known_child_by_upn(world, login):
    client = login(world.users.cme_officer)
    client.post(
        reverse("web:new_arrival"),
        {
            "from_la_name": "Westshire",
            **date_fields("received_on", dt.date.today()),
            "sender": "Westshire CME",
            "first_name": "Amara",
            "last_name": "Okafor",
            **date_fields("date_of_birth", dt.date(2015, 3, 14)),
            "sex": "F",
            "upn": "B801200005001",
        },
    )
    notice = ArrivalNotice.objects.get()
    page = client.get(reverse("web:arrival", args=[notice.pk])).content.decode()
    assert "Amara Okafor" in page and "same UPN" in page
    client.post(reverse("web:link_arrival", args=[notice.pk]), {"match_choice": str(world.child.pk)})
    notice.refresh_from_db()
    assert notice.child == world.child
    assert Child.objects.filter(upn="B801200005001").count() == 1


def test_the_admin_lists_transfers_read_only(world, login):
    client = login(world.users.system_admin)
    for model in ("ctffile", "move", "arrivalnotice"):
        assert client.get(f"/admin/transfers/{model}/").status_code == 200
        assert client.get(f"/admin/transfers/{model}/add/").status_code == 403


def test_the_child_ctf_page_shows_schools_and_attendance_from_ctfs(world, login):
    from onroll.transfers.ctf_import import import_ctf

    data = synthetic_ctf(1, source="9913001", destination="990LLLL", history=[("991", "3001")])
    import_ctf(world.users.cme_officer, data, "in.XML", today=dt.date(2026, 1, 15))
    child = Child.objects.get(upn=make_upn("991", "3001", 1))
    page = login(world.users.cme_officer).get(reverse("web:child_ctf", args=[child.pk])).content.decode()
    assert "Schools from CTFs that Onroll does not hold" in page and "9913001" in page
    assert "Attendance from CTFs" in page and ">300<" in page
