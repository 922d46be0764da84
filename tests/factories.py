"""Factories for synthetic records (en_GB). Only made-up children, ever."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from onroll.accounts.models import Organisation, OrganisationKind, Role, User
from onroll.casework.models import Case, Category, Reason, ReferralSource
from onroll.children.models import Address, Child, ChildName, Contact, Enrolment, NameKind
from onroll.schools.models import LocalAuthority, Phase, School, SchoolType

factory.Faker._DEFAULT_LOCALE = "en_GB"


class LocalAuthorityFactory(DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("code",)

    code = "990"
    name = "Northmere"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = OrganisationKind.LA_TEAM
    la_code = "990"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: f"{100000 + n}")
    la = factory.SubFactory(LocalAuthorityFactory)
    estab_number = factory.Sequence(lambda n: f"{2000 + n}")
    name = factory.Sequence(lambda n: f"Hillside Primary School {n}")
    school_type = SchoolType.MAINTAINED
    phase = Phase.PRIMARY
    organisation = factory.LazyAttribute(
        lambda o: Organisation.objects.create(name=o.name, kind=OrganisationKind.SCHOOL, la_code=o.la.code)
    )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.CME_OFFICER
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password("correct-horse-battery")


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child
        skip_postgeneration_save = True

    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    date_of_birth = dt.date(2015, 3, 14)
    sex = "F"
    la = factory.SubFactory(LocalAuthorityFactory)

    @factory.post_generation
    def legal_name(obj, create, extracted, **kwargs):
        if create:
            ChildName(
                child=obj, kind=NameKind.LEGAL, first_name=obj.legal_first_name, last_name=obj.legal_last_name
            ).save()


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    child = factory.SubFactory(ChildFactory)
    line_1 = factory.Faker("street_address")
    town = factory.Faker("city")
    postcode = factory.Faker("postcode")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    child = factory.SubFactory(ChildFactory)
    name = factory.Faker("name")
    relationship = "Mother"
    parental_responsibility = True
    phone = "07700 900123"


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    child = factory.SubFactory(ChildFactory)
    school = factory.SubFactory(SchoolFactory)
    entry_date = dt.date(2019, 9, 4)


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"C-T{n:07d}")
    child = factory.SubFactory(ChildFactory)
    la = factory.LazyAttribute(lambda c: c.child.la)
    category = Category.AT_RISK
    primary_reason = factory.LazyFunction(lambda: Reason.objects.get(code="absent_20_days_unauthorised"))
    referral_source = ReferralSource.SCHOOL
    date_identified = dt.date(2026, 10, 1)
