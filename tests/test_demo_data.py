"""The synthetic demo LA: complete, consistent with the rules it demonstrates, and built only once."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count, Q

from onroll.accounts.models import Organisation, OrganisationKind, Role, User
from onroll.casework.models import CSA_CATEGORIES, Case, Category, StatusChange
from onroll.children.models import Address, Child, ChildName, Contact, Enrolment, EnrolmentStatus, NameKind
from onroll.children.names import search_key
from onroll.core import school_age, upn
from onroll.demo.generator import DEMO_PASSWORD, generate
from onroll.demo.pools import build_pools
from onroll.referrals.models import Referral

SMALL = {
    "la_code": "989",
    "name": "Northmere",
    "n_children": 300,
    "n_cases": 40,
    "n_schools": 6,
    "seed": 7,
    "batch_size": 64,
}
OPEN_MISSING = (Category.MISSING_LOCATED, Category.MISSING_NOT_LOCATED, Category.EHE)


# A mid-term day, and the first day of a school year before the autumn term has started.
@pytest.fixture(params=[dt.date(2026, 3, 16), dt.date(2026, 9, 1)], ids=["march", "1-september"])
def demo(request, db):
    return generate(**SMALL, today=request.param), request.param


def test_builds_every_category_and_the_asked_for_sizes(demo):
    result, _ = demo
    assert result.created
    assert result.la.children.count() == 300
    cases = Case.objects.filter(la=result.la)
    assert cases.count() == 40
    assert set(cases.values_list("category", flat=True)) == set(Category.values)
    assert result.la.schools.count() == 6
    assert cases.values("primary_reason").distinct().count() >= 8


def test_csa_categories_hold_only_children_of_compulsory_school_age(demo):
    result, today = demo
    for case in Case.objects.filter(la=result.la, category__in=CSA_CATEGORIES).select_related("child"):
        dob = case.child.date_of_birth
        assert school_age.is_compulsory_school_age(dob, today), case
        assert school_age.is_compulsory_school_age(dob, case.date_identified), case


def test_children_missing_education_or_home_educated_are_on_no_roll(demo):
    result, _ = demo
    missing = Case.objects.filter(la=result.la, category__in=OPEN_MISSING).values("child")
    assert missing.exists()
    assert not Enrolment.objects.filter(child__in=missing, leaving_date__isnull=True).exists()


def test_one_user_per_role_who_can_sign_in(demo, client):
    result, _ = demo
    users = User.objects.filter(username__in=[login.username for login in result.logins])
    assert set(users.values_list("role", flat=True)) == set(Role.values)
    admin = users.get(role=Role.SYSTEM_ADMIN)
    assert admin.is_staff and admin.is_superuser and admin.organisation.kind == OrganisationKind.LA_TEAM
    assert client.login(username="cme.officer", password=DEMO_PASSWORD)
    lead = users.get(username="school.lead")
    assert lead.organisation.kind == OrganisationKind.SCHOOL
    on_roll_with_case = Enrolment.objects.filter(
        school__organisation=lead.organisation, status=EnrolmentStatus.ON_ROLL, child__cases__isnull=False
    )
    assert on_roll_with_case.exists()
    partner = users.get(role=Role.PARTNER)
    assert partner.organisation.kind == OrganisationKind.AGENCY
    assert partner.organisation.shared_cases.exists()


def test_organisations_of_the_la(demo):
    result, _ = demo
    orgs = Organisation.objects.filter(la_code=result.la.code)
    teams = set(orgs.filter(kind=OrganisationKind.LA_TEAM).values_list("team_function", flat=True))
    assert teams == {"spa", "ews", "cme", "business_support", "panel"}
    assert orgs.filter(kind=OrganisationKind.AGENCY).count() == 3
    for school in result.la.schools.select_related("organisation"):
        assert len(school.urn) == 6 and school.urn.isdigit()
        assert len(school.estab_number) == 4 and school.estab_number.isdigit()
        assert school.organisation.kind == OrganisationKind.SCHOOL
        assert school.organisation.la_code == result.la.code


def test_every_child_has_a_legal_name_row_with_its_search_keys(demo):
    result, _ = demo
    children = Child.objects.filter(la=result.la)
    legal = ChildName.objects.filter(child__la=result.la, kind=NameKind.LEGAL).select_related("child")
    assert legal.count() == children.count()
    for row in legal:
        assert (row.first_name, row.last_name) == (row.child.legal_first_name, row.child.legal_last_name)
        assert (row.first_key, row.last_key) == (search_key(row.first_name), search_key(row.last_name))
    for row in ChildName.objects.filter(child__la=result.la).exclude(kind=NameKind.LEGAL):
        assert (row.first_key, row.last_key) == (search_key(row.first_name), search_key(row.last_name))


def test_upns_that_are_present_are_valid_and_unique(demo):
    result, _ = demo
    upns = list(Child.objects.filter(la=result.la).exclude(upn="").values_list("upn", flat=True))
    assert len(upns) > 200
    assert all(upn.validate(value) == value for value in upns)
    assert all(value[1:4] == result.la.code for value in upns)
    assert len(set(upns)) == len(upns)


def test_roll_histories_are_in_order(demo):
    result, today = demo
    enrolments = Enrolment.objects.filter(child__la=result.la)
    for e in enrolments:
        assert e.entry_date <= today
        assert e.leaving_date is None or e.entry_date <= e.leaving_date <= today
        assert (e.status == EnrolmentStatus.LEFT) == (e.leaving_date is not None)
    current = Counter(enrolments.filter(leaving_date__isnull=True).values_list("child", flat=True))
    assert max(current.values()) == 1


def test_addresses_and_contacts(demo):
    result, _ = demo
    children = Child.objects.filter(la=result.la)
    assert Address.objects.filter(child__la=result.la, to_date__isnull=True).count() == children.count()
    per_child = children.annotate(
        n=Count("contacts"), pr=Count("contacts", filter=Q(contacts__parental_responsibility=True))
    )
    assert all(1 <= c.n <= 2 and c.pr >= 1 for c in per_child)
    assert all(c.phone.startswith("07700 900") for c in Contact.objects.filter(child__la=result.la))


def test_case_timelines(demo):
    result, today = demo
    for case in Case.objects.filter(la=result.la).prefetch_related(
        "status_changes", "notes", "contact_attempts"
    ):
        changes = sorted(case.status_changes.all(), key=lambda s: s.created_at)
        assert changes[0].reason == "Case opened" and changes[0].from_category == ""
        assert changes[-1].to_category == case.category
        assert case.created_at.date() == case.date_identified
        assert today - dt.timedelta(days=366) <= case.date_identified <= today
        assert case.notes.exists() and case.contact_attempts.exists()
        if case.category == Category.CLOSED:
            assert case.outcome and case.date_identified <= case.date_closed <= today
        else:
            assert not case.outcome and case.date_closed is None
    assert Referral.objects.filter(case__la=result.la).exists()
    assert StatusChange.objects.filter(case__la=result.la, to_category=Category.CLOSED).exists()


def test_running_twice_adds_nothing(demo):
    result, today = demo
    before = (Child.objects.count(), Case.objects.count(), User.objects.count(), Organisation.objects.count())
    again = generate(**SMALL, today=today)
    assert not again.created
    assert again.logins == result.logins
    assert (
        Child.objects.count(),
        Case.objects.count(),
        User.objects.count(),
        Organisation.objects.count(),
    ) == before


def test_a_second_la_needs_its_own_usernames(db):
    generate(**{**SMALL, "n_children": 40, "n_cases": 6})
    with pytest.raises(ValueError, match="prefix"):
        generate(**{**SMALL, "la_code": "988", "n_children": 40, "n_cases": 6})
    other = generate(**{**SMALL, "la_code": "988", "n_children": 40, "n_cases": 6}, user_prefix="b.")
    assert {login.username for login in other.logins} >= {"b.cme.officer", "b.admin"}


def test_pools_are_reproducible():
    assert build_pools(3, "Northmere") == build_pools(3, "Northmere")


def test_the_demo_sized_register_uses_every_reason(db):
    from onroll.casework.models import Reason

    generate(**{**SMALL, "n_children": 3000, "n_cases": 200, "n_schools": 10}, today=dt.date(2026, 11, 20))
    used = set(Case.objects.values_list("primary_reason_id", flat=True))
    assert set(Reason.objects.values_list("code", flat=True)) - used == set()


def test_the_demo_command_starts_procedures_from_the_synthetic_registers(db, capsys, monkeypatch):
    from django.core.management import call_command

    from onroll.procedures.models import Procedure, Task

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: dt.date(2026, 11, 22))
    call_command("demo_data", "--children", "1500", "--cases", "20")
    out = capsys.readouterr().out
    assert "absence procedures started" in out and "school.lead" in out
    procedures = Procedure.objects.select_related("case", "pack_version")
    assert procedures.count() >= 5
    assert {p.pack_version.pack_id for p in procedures} <= {
        "achieving-for-children",
        "all-saints-catholic-primary",
    }
    assert all(p.case.is_open for p in procedures)
    assert Task.objects.filter(step_id="refer_to_spa").exists()  # runs of 5 days or more
