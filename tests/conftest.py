"""Named personas and the small synthetic world they work in.

Northmere (LA 990) has two schools, an SPA, a CME team, business support, a panel and a health agency.
Southdale (LA 991) is another LA whose officer must never see Northmere's children.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from onroll.accounts.models import OrganisationKind, Role, TeamFunction
from onroll.demo.calendars import create_default_calendar
from onroll.procedures.services import load_packs

from . import factories as f

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.3 s a user; tests make a dozen users each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    la = f.LocalAuthorityFactory(code="990", name="Northmere")
    other_la = f.LocalAuthorityFactory(code="991", name="Southdale")
    school = f.SchoolFactory(la=la, name="Hillside Primary School")
    other_school = f.SchoolFactory(la=la, name="Riverside Primary School")
    team = {
        fn: f.OrganisationFactory(name=f"Northmere {fn}", team_function=fn)
        for fn in (TeamFunction.SPA, TeamFunction.CME, TeamFunction.BUSINESS_SUPPORT, TeamFunction.PANEL)
    }
    agency = f.OrganisationFactory(name="Northmere Community Health", kind=OrganisationKind.AGENCY)
    other_agency = f.OrganisationFactory(name="Northmere Housing", kind=OrganisationKind.AGENCY)
    southdale_team = f.OrganisationFactory(
        name="Southdale CME team", la_code="991", team_function=TeamFunction.CME
    )

    users = SimpleNamespace(
        school_dsl=f.UserFactory(
            username="school_dsl", role=Role.SCHOOL_LEAD, organisation=school.organisation
        ),
        other_school_dsl=f.UserFactory(
            username="other_school_dsl", role=Role.SCHOOL_LEAD, organisation=other_school.organisation
        ),
        spa_officer=f.UserFactory(username="spa_officer", role=Role.SPA_OFFICER, organisation=team["spa"]),
        cme_officer=f.UserFactory(username="cme_officer", role=Role.CME_OFFICER, organisation=team["cme"]),
        business_support=f.UserFactory(
            username="business_support", role=Role.BUSINESS_SUPPORT, organisation=team["business_support"]
        ),
        panel_chair=f.UserFactory(username="panel_chair", role=Role.PANEL_CHAIR, organisation=team["panel"]),
        partner=f.UserFactory(username="partner", role=Role.PARTNER, organisation=agency),
        other_partner=f.UserFactory(username="other_partner", role=Role.PARTNER, organisation=other_agency),
        senior_leader=f.UserFactory(
            username="senior_leader", role=Role.SENIOR_LEADER, organisation=team["panel"]
        ),
        system_admin=f.UserFactory(
            username="system_admin",
            role=Role.SYSTEM_ADMIN,
            organisation=team["cme"],
            is_staff=True,
            is_superuser=True,
        ),
        other_la_officer=f.UserFactory(
            username="other_la_officer", role=Role.CME_OFFICER, organisation=southdale_team
        ),
    )

    # Amara is on Hillside's roll, with a case the health agency was asked about.
    child = f.ChildFactory(
        legal_first_name="Amara",
        legal_last_name="Okafor",
        la=la,
        date_of_birth=dt.date(2015, 3, 14),
        upn="B801200005001",
    )
    f.EnrolmentFactory(child=child, school=school)
    f.AddressFactory(child=child, line_1="12 Mill Lane", postcode="NM1 2AB")
    f.AddressFactory(child=child, line_1="Refuge address", postcode="NM9 9ZZ", confidential=True)
    f.ContactFactory(child=child, name="Grace Okafor")
    case = f.CaseFactory(
        child=child, la=la, lead_professional=users.cme_officer, responsible_org=school.organisation
    )
    case.shared_with.add(agency)

    # Tom lives in Southdale and is on no Northmere roll.
    other_child = f.ChildFactory(legal_first_name="Tom", legal_last_name="Pryce", la=other_la)
    other_case = f.CaseFactory(child=other_child, la=other_la)

    return SimpleNamespace(
        la=la,
        other_la=other_la,
        school=school,
        other_school=other_school,
        team=team,
        agency=agency,
        users=users,
        child=child,
        case=case,
        other_child=other_child,
        other_case=other_case,
    )


@pytest.fixture
def afc(world):
    """Northmere runs Achieving for Children's procedure on its 2025/26 term dates."""
    load_packs()
    create_default_calendar(world.la)
    world.la.procedure_pack = "achieving-for-children"
    world.la.save()
    return world


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user
