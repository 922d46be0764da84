"""The transfer pages in a real browser, with axe-core on each: a school produces a CTF and imports one;
the CME officer records a move, prints the notification, confirms it, and records an arrival."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onroll.transfers.models import ArrivalNotice, CtfFile, Move
from onroll.transfers.synthetic import synthetic_ctf

from .test_browser import arrive, browser, browser_world, fill_date, page, sign_in, sign_out  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_school_produces_and_imports_ctfs(page, browser_world, tmp_path):  # noqa: F811
    world = browser_world
    sign_in(page, "school_dsl")
    page.goto(f"/children/{world.child.pk}/")
    page.get_by_role("link", name="Produce a CTF for this pupil, or see all their CTFs").click()
    arrive(page, "Common transfer files", "the child's CTF page")
    page.get_by_role("button", name="Produce the CTF").click()
    arrive(page, "Common transfer files", "the CTF page with an error")
    expect(page.get_by_role("link", name="Choose where the pupil is going")).to_be_visible()
    page.get_by_label("Destination unknown: XXXXXXX, for the Lost Pupil Database").check()
    page.get_by_role("button", name="Produce the CTF").click()
    name = CtfFile.objects.get().file_name
    expect(page.get_by_role("link", name=name)).to_be_visible()

    path = tmp_path / "in.XML"
    path.write_bytes(synthetic_ctf(2, source="9913001", destination=world.school.laestab))
    page.get_by_role("link", name="Import a CTF").click()
    arrive(page, "Import a common transfer file (CTF)", "the CTF import page")
    page.get_by_label("Upload a CTF (XML file)").set_input_files(str(path))
    fill_date(page, "Date the pupils joined your school", timezone.localdate())
    page.get_by_role("button", name="Import CTF").click()
    expect(page.get_by_role("alert").filter(has_text="Imported 2 pupils from in.XML: 2 new")).to_be_visible()
    arrive(page, "Import a common transfer file (CTF)", "the CTF import page after an import")
    sign_out(page)


def test_the_cme_officer_tracks_a_move_and_an_arrival(page, browser_world):  # noqa: F811
    world = browser_world
    today = timezone.localdate()
    sign_in(page, "cme_officer")
    page.goto(f"/cases/{world.case.pk}/")
    page.get_by_role("link", name="Record that the child has moved to another LA or abroad").click()
    arrive(page, "Moves to another LA or abroad", "the case's moves")
    page.get_by_role("link", name="Record a move").click()
    arrive(page, "Record a move to another LA or abroad", "the move form")
    page.get_by_label("Another local authority in England").check()
    page.get_by_label("New LA", exact=True).select_option(label=str(world.other_la))
    fill_date(page, "Date the child moved (or was first known to have moved)", today)
    page.get_by_label("How is the move known?").fill("Mother phoned the school")
    page.get_by_role("button", name="Record move").click()
    arrive(page, "Moves to another LA or abroad", "the moves page with a move")
    move = Move.objects.get()
    page.get_by_role("link", name=re.compile("Notification to")).click()
    arrive(page, re.compile("Child missing education: notification"), "the printable notification")
    page.goto(f"/moves/{move.pk}/confirm/")
    arrive(page, re.compile("Confirm the child is on a roll"), "the confirmation form")
    page.get_by_label("On the roll of a school").check()
    page.get_by_label("School, if on a roll").fill("Southdale Academy")
    fill_date(page, "Date it was confirmed", today)
    page.get_by_label("Confirmed by (name and organisation)").fill("J Bell, Southdale CME team")
    page.get_by_label("What was confirmed, and how").fill("Email: on roll since Monday")
    page.get_by_role("button", name="Record confirmation").click()
    arrive(page, "Moves to another LA or abroad", "the moves page after confirmation")

    page.get_by_role("link", name="Arrivals from other LAs").click()
    arrive(page, "Children arriving from other LAs", "the arrivals list")
    page.get_by_role("link", name="Record a notification").click()
    arrive(page, "Record a notification from another LA", "the arrival form")
    page.get_by_label("From LA", exact=True).select_option(label=str(world.other_la))
    fill_date(page, "Date received", today)
    page.get_by_label("Who sent it (name, team, phone or email)").fill("Southdale CME team")
    page.get_by_label("Child's first name").fill("Kit")
    page.get_by_label("Child's last name").fill("Marlow")
    fill_date(page, "Date of birth", today.replace(year=today.year - 10, day=1))
    page.get_by_role("button", name="Record notification").click()
    arrive(page, "Children arriving from other LAs", "the arrivals list with a notification")
    page.get_by_role("link", name="Kit Marlow").click()
    arrive(page, "Kit Marlow", "the arrival notification")
    page.get_by_role("button", name="Create a new child record from this notification").click()
    arrive(page, "Kit Marlow", "the linked arrival notification")
    assert ArrivalNotice.objects.get().child is not None


def test_a_held_ctf_is_reviewed_and_an_arrival_linked_in_the_browser(page, browser_world, tmp_path):  # noqa: F811
    from onroll.matching.models import MatchDecision
    from onroll.transfers.models import HeldCtf

    from .test_matching_ctf import amara_ctf

    world = browser_world
    path = tmp_path / "amara.XML"
    path.write_bytes(amara_ctf(world))
    sign_in(page, "cme_officer")
    page.goto("/ctf/import/")
    arrive(page, "Import a common transfer file (CTF)", "the CTF import page")
    page.get_by_label("Upload a CTF (XML file)").set_input_files(str(path))
    page.get_by_role("button", name="Import CTF").click()
    arrive(page, "Are these pupils already known?", "the CTF review page")
    expect(page.get_by_text("same first name (preferred name)")).to_be_visible()
    page.get_by_role("button", name="Import the file with these choices").click()
    arrive(page, "Are these pupils already known?", "the CTF review page with an error")
    page.get_by_role("link", name=re.compile("Select one of the children shown")).click()
    expect(page.get_by_role("radio", name=re.compile("Amara Okafor"))).to_be_focused()
    page.get_by_role("radio", name=re.compile("Amara Okafor")).check()
    page.get_by_role("button", name="Import the file with these choices").click()
    expect(
        page.get_by_role("alert").filter(has_text="Imported 2 pupils from amara.XML: 1 new")
    ).to_be_visible()
    arrive(page, "Import a common transfer file (CTF)", "the CTF import page after the review")
    assert not HeldCtf.objects.exists() and world.child.ctf_rows.exists()

    page.goto("/arrivals/new/")
    arrive(page, "Record a notification from another LA", "the arrival form")
    page.get_by_label("From LA", exact=True).select_option(label=str(world.other_la))
    fill_date(page, "Date received", timezone.localdate())
    page.get_by_label("Who sent it (name, team, phone or email)").fill("Southdale CME team")
    page.get_by_label("Child's first name").fill("Amara")
    page.get_by_label("Child's last name").fill("Okafur")
    fill_date(page, "Date of birth", timezone.datetime(2015, 3, 14).date())
    page.get_by_role("button", name="Record notification").click()
    page.get_by_role("link", name="Amara Okafur").click()
    arrive(page, "Amara Okafur", "the arrival notification with candidates")
    page.get_by_role("button", name="Save the choice").click()
    arrive(page, "Amara Okafur", "the arrival notification with an error")
    page.get_by_role("radio", name=re.compile("Amara Okafor")).check()
    page.get_by_role("button", name="Save the choice").click()
    arrive(page, "Amara Okafur", "the linked arrival notification")
    assert ArrivalNotice.objects.get().child == world.child
    assert MatchDecision.objects.filter(door="arrival", child=world.child).exists()
    sign_out(page)
