"""Reading the register: scoping, filters, search and keyset pagination.

At county scale (100,000 cases, a million children) offset pagination and exact counts over the whole
table are too slow, so pages are read by keyset (date identified, id) and counts stop at a cap.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet

from onroll.accounts.models import OrganisationKind
from onroll.accounts.permissions import Perm, can
from onroll.children.models import Enrolment
from onroll.children.queries import looks_like_upn, name_search_ids
from onroll.core import school_age
from onroll.core import upn as upn_rules
from onroll.schools.queries import la_id_of

from .models import Case, Category


def visible_cases(user) -> QuerySet[Case]:
    if not can(user, Perm.VIEW_REGISTER) or user.organisation is None:
        return Case.objects.none()
    org = user.organisation
    if org.kind == OrganisationKind.LA_TEAM:
        return Case.objects.filter(la_id=la_id_of(org))
    if org.kind == OrganisationKind.SCHOOL:
        on_roll = Enrolment.objects.filter(school__organisation=org).values("child_id")
        return Case.objects.filter(Q(child_id__in=on_roll) | Q(referred_by_org=org))
    shared = Case.shared_with.through.objects.filter(organisation=org).values("case_id")
    return Case.objects.filter(Q(id__in=shared) | Q(referred_by_org=org))


def case_for_page(user, case_id) -> Case:
    return (
        visible_cases(user)
        .select_related("child", "child__la", "primary_reason", "responsible_org", "lead_professional", "la")
        .get(pk=case_id)
    )


def timeline(case: Case) -> list[tuple[str, object]]:
    """Notes, contact attempts and status changes, newest first, as (kind, item) pairs."""
    items = [("note", n) for n in case.notes.select_related("created_by")]
    items += [("contact", c) for c in case.contact_attempts.select_related("created_by")]
    items += [("status", s) for s in case.status_changes.select_related("created_by")]
    return sorted(items, key=lambda pair: pair[1].created_at, reverse=True)


@dataclass
class RegisterFilters:
    category: str = ""
    reason: str = ""
    school: uuid.UUID | None = None
    year_group: int | None = None
    vulnerability: str = ""
    lead: uuid.UUID | None = None
    search: str = ""
    include_closed: bool = False
    today: dt.date = field(default_factory=dt.date.today)


def apply_filters(cases: QuerySet[Case], f: RegisterFilters) -> QuerySet[Case]:
    if f.category:
        cases = cases.filter(category=f.category)
    elif not f.include_closed:
        cases = cases.exclude(category=Category.CLOSED)
    if f.reason:
        cases = cases.filter(primary_reason_id=f.reason)
    if f.school:
        cases = cases.filter(responsible_org_id=f.school)
    if f.year_group is not None:
        born_from, born_to = school_age.nc_year_born_between(f.year_group, f.today)
        cases = cases.filter(child__date_of_birth__range=(born_from, born_to))
    if f.vulnerability:
        cases = cases.filter(vulnerabilities__code=f.vulnerability)
    if f.lead:
        cases = cases.filter(lead_professional_id=f.lead)
    if f.search.strip():
        cases = cases.filter(child_search(f.search))
    return cases


def child_search(text: str) -> Q:
    """A UPN, a date of birth (dd/mm/yyyy or yyyy-mm-dd) or a name prefix."""
    text = text.strip()
    if looks_like_upn(text):
        value = upn_rules.normalise(text)
        return Q(child__upn=value) | Q(child__former_upn=value)
    dob = parse_date(text)
    if dob:
        return Q(child__date_of_birth=dob)
    return Q(child_id__in=_matching_children(name_search_ids(text)))


# Above this many matching names, the register is read in date order checking each case's child against
# the names (quick when matches are common). Below it, the subquery carries a LIMIT, which stops PostgreSQL
# flattening it into that same walk: the few matching children are read once into a hash instead (quick
# when matches are rare). Under the page's LIMIT the planner cannot tell the two cases apart by itself.
FEW_NAME_MATCHES = 5000


def _matching_children(ids):
    limited = ids[: FEW_NAME_MATCHES + 1]
    return limited if limited.count() <= FEW_NAME_MATCHES else ids


def parse_date(text: str) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d %m %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class RegisterPage:
    cases: list[Case]
    next_cursor: str | None
    count: int
    count_is_capped: bool


def encode_cursor(case: Case) -> str:
    return f"{case.date_identified.isoformat()}_{case.pk}"


def decode_cursor(cursor: str) -> tuple[dt.date, uuid.UUID] | None:
    try:
        day, pk = cursor.split("_", 1)
        return dt.date.fromisoformat(day), uuid.UUID(pk)
    except (ValueError, AttributeError):
        return None


def register_page(user, f: RegisterFilters, cursor: str = "") -> RegisterPage:
    cases = apply_filters(visible_cases(user), f)
    if f.vulnerability:
        cases = cases.distinct()
    size, cap = settings.REGISTER_PAGE_SIZE, settings.REGISTER_COUNT_CAP
    position = decode_cursor(cursor) if cursor else None
    page = cases
    if position:
        day, pk = position
        page = cases.filter(Q(date_identified__lt=day) | Q(date_identified=day, id__lt=pk))
    rows = list(
        page.select_related("child", "primary_reason", "responsible_org", "lead_professional").order_by(
            "-date_identified", "-id"
        )[: size + 1]
    )
    # A first page that is not full is the whole answer, so most searches need no count query.
    count = len(rows) if not position and len(rows) <= size else cases.values("pk")[: cap + 1].count()
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else None
    return RegisterPage(rows[:size], next_cursor, min(count, cap), count > cap)


def my_cases(user) -> QuerySet[Case]:
    return (
        visible_cases(user)
        .filter(lead_professional=user)
        .exclude(category=Category.CLOSED)
        .select_related("child", "primary_reason")
        .order_by("-date_identified", "-id")
    )
