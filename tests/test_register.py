"""The register: filters, search by name / UPN / date of birth, keyset pages and scoping."""

import datetime as dt

import pytest
from django.urls import reverse

from onroll.casework import queries
from onroll.casework.models import Category

from . import factories as f


def _refs(user, **filters):
    page = queries.register_page(user, queries.RegisterFilters(today=dt.date(2026, 11, 20), **filters))
    return {c.reference for c in page.cases}


@pytest.fixture
def more_cases(world):
    preferred = f.ChildFactory(
        legal_first_name="Jonathan",
        legal_last_name="Smith",
        la=world.la,
        date_of_birth=dt.date(2012, 1, 5),
        upn="Q938123417001",
    )
    from onroll.children.models import ChildName

    ChildName(child=preferred, kind="former", first_name="Jonny", last_name="Bishop").save()
    ehe = f.CaseFactory(child=preferred, la=world.la, category=Category.EHE)
    closed = f.CaseFactory(
        la=world.la,
        category=Category.CLOSED,
        date_closed=dt.date(2026, 11, 1),
        outcome="back_on_roll",
        child=f.ChildFactory(la=world.la),
    )
    return ehe, closed


def test_la_officer_sees_own_la_open_cases_only(world, more_cases):
    ehe, closed = more_cases
    assert _refs(world.users.cme_officer) == {world.case.reference, ehe.reference}
    assert _refs(world.users.cme_officer, include_closed=True) >= {closed.reference}
    assert world.other_case.reference not in _refs(world.users.cme_officer, include_closed=True)


def test_school_sees_cases_of_its_pupils(world, more_cases):
    assert _refs(world.users.school_dsl) == {world.case.reference}
    assert _refs(world.users.other_school_dsl) == set()


def test_partner_sees_what_was_shared_with_it(world, more_cases):
    assert _refs(world.users.partner) == {world.case.reference}
    assert _refs(world.users.other_partner) == set()


@pytest.mark.parametrize(
    "search, expect_jonathan",
    [
        ("smi", True),
        ("Jon Smith", True),
        ("bishop", True),
        ("JONNY", True),
        ("Q938123417001", True),
        ("05/01/2012", True),
        ("2012-01-05", True),
        ("okafor", False),
        ("zzz", False),
    ],
)
def test_search_by_name_upn_or_date_of_birth(world, more_cases, search, expect_jonathan):
    ehe, _ = more_cases
    assert (ehe.reference in _refs(world.users.cme_officer, search=search)) is expect_jonathan


def test_filters(world, more_cases):
    ehe, _ = more_cases
    officer = world.users.cme_officer
    assert _refs(officer, category=Category.EHE) == {ehe.reference}
    assert _refs(officer, lead=officer.pk) == {world.case.reference}
    assert _refs(officer, school=world.school.organisation.pk) == {world.case.reference}
    world.case.vulnerabilities.add("young_carer")
    assert _refs(officer, vulnerability="young_carer") == {world.case.reference}
    # In 2026/27 Amara (born March 2015) is in Year 7; Jonathan (January 2012) in Year 10.
    assert _refs(officer, year_group=7) == {world.case.reference}
    assert _refs(officer, year_group=10) == {ehe.reference}
    assert _refs(officer, year_group=8) == set()
    assert _refs(officer, reason="absent_20_days_unauthorised") == {world.case.reference, ehe.reference}


def test_keyset_pages_walk_every_case_once(world, settings):
    settings.REGISTER_PAGE_SIZE = 3
    for day in range(1, 9):
        f.CaseFactory(la=world.la, child=f.ChildFactory(la=world.la), date_identified=dt.date(2026, 9, day))
    f.CaseFactory(la=world.la, child=f.ChildFactory(la=world.la), date_identified=dt.date(2026, 9, 4))
    seen, cursor = [], ""
    filters = queries.RegisterFilters(today=dt.date(2026, 11, 20))
    while True:
        page = queries.register_page(world.users.cme_officer, filters, cursor)
        seen += [c.pk for c in page.cases]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 10  # Amara's case and the nine above


def test_count_is_capped(world, settings):
    settings.REGISTER_COUNT_CAP = 1
    page = queries.register_page(world.users.cme_officer, queries.RegisterFilters())
    assert page.count_is_capped is False
    f.CaseFactory(la=world.la, child=f.ChildFactory(la=world.la))
    page = queries.register_page(world.users.cme_officer, queries.RegisterFilters())
    assert page.count_is_capped is True and page.count == 1


def test_register_page_renders_filters_and_results(login, world, more_cases):
    page = login(world.users.cme_officer).get(reverse("web:register"), {"q": "okafor"}).content.decode()
    # Only the results: the filters' lead professional list holds users' made-up names, which may be anything.
    results = page.rsplit("</form>", 1)[1]
    assert "Apply filters" not in results and "<select" not in results
    assert "Amara Okafor" in results and "Jonathan" not in results and "1 case" in results


def test_bad_cursor_is_ignored(login, world):
    response = login(world.users.cme_officer).get(reverse("web:register"), {"after": "nonsense"})
    assert response.status_code == 200


def test_my_cases_lists_cases_i_lead(login, world):
    page = login(world.users.cme_officer).get(reverse("web:my_cases")).content.decode()
    assert world.case.reference in page
    page = login(world.users.spa_officer).get(reverse("web:my_cases")).content.decode()
    assert world.case.reference not in page


@pytest.mark.parametrize("few", [0, 1, 5000])
def test_name_search_gives_the_same_answer_on_both_read_paths(world, more_cases, monkeypatch, few):
    monkeypatch.setattr(queries, "FEW_NAME_MATCHES", few)
    ehe, _ = more_cases
    assert _refs(world.users.cme_officer, search="jon") == {ehe.reference}
    assert _refs(world.users.cme_officer, search="o") == {world.case.reference}


def test_an_impossible_filter_is_explained_not_ignored(login, world):
    page = login(world.users.cme_officer).get(reverse("web:register"), {"reason": "no-such-reason"}).content
    assert b"There is a problem" in page and b"Select a valid choice" in page
