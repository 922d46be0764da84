"""Reading the registers, scoped to the user: LA staff see their own LA's entries; anyone else none."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Min, OuterRef, Q, QuerySet, Subquery

from onroll.accounts.models import OrganisationKind
from onroll.accounts.permissions import Perm, can
from onroll.children.queries import name_search_ids
from onroll.schools.models import LocalAuthority

from .models import CNISEntry, EHERegistration, ReviewOutcome, SuitabilityReview
from .services import cnis_enabled

DUE_SOON_DAYS = 28


def user_la(user) -> LocalAuthority | None:
    """The LA an LA team member works for; None for schools, agencies and users without one."""
    org = getattr(user, "organisation", None)
    if org is None or org.kind != OrganisationKind.LA_TEAM:
        return None
    return LocalAuthority.objects.filter(code=org.la_code).first()


def visible_ehe(user) -> QuerySet[EHERegistration]:
    la = user_la(user) if can(user, Perm.VIEW_EHE_REGISTER) else None
    if la is None:
        return EHERegistration.objects.none()
    return EHERegistration.objects.filter(la=la)


def ehe_for_page(user, registration_id) -> EHERegistration:
    return visible_ehe(user).select_related("child", "la", "case").get(pk=registration_id)


@dataclass
class EHEFilters:
    review: str = ""  # "", overdue, due_soon, none
    status: str = ""  # "" (current), ended, all
    search: str = ""


def ehe_register(user, f: EHEFilters, today: dt.date, limit: int = 500) -> list[EHERegistration]:
    """The register with each entry's next review due; overdue reviews first, then by when they fall due
    (an earlier due date sorts first, so overdue ones lead), entries with no review due last."""
    done = SuitabilityReview.objects.filter(registration=OuterRef("pk"), done_on__isnull=False).order_by(
        "-done_on", "-created_at"
    )
    rows = visible_ehe(user).annotate(
        next_review=Min("reviews__due_on", filter=Q(reviews__done_on__isnull=True)),
        last_review_on=Subquery(done.values("done_on")[:1]),
        last_review_outcome=Subquery(done.values("outcome")[:1]),
    )
    if f.status == "ended":
        rows = rows.filter(ended_on__isnull=False)
    elif f.status != "all":
        rows = rows.filter(ended_on__isnull=True)
    if f.review == "overdue":
        rows = rows.filter(next_review__lt=today)
    elif f.review == "due_soon":
        rows = rows.filter(next_review__gte=today, next_review__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    elif f.review == "none":
        rows = rows.filter(next_review__isnull=True)
    if f.search.strip():
        rows = rows.filter(child_id__in=name_search_ids(f.search))
    rows = rows.select_related("child").order_by(
        F("next_review").asc(nulls_last=True), "child__legal_last_name", "child__legal_first_name"
    )
    rows = list(rows[:limit])
    for row in rows:
        outcome = row.last_review_outcome
        row.last_review_label = ReviewOutcome(outcome).label if outcome in ReviewOutcome.values else ""
    return rows


def open_ehe_for(child) -> EHERegistration | None:
    return EHERegistration.objects.filter(child=child, ended_on__isnull=True).first()


def visible_cnis(user) -> QuerySet[CNISEntry]:
    la = user_la(user) if can(user, Perm.VIEW_CNIS_REGISTER) else None
    if la is None or not cnis_enabled(la):
        return CNISEntry.objects.none()
    return CNISEntry.objects.filter(la=la)


def cnis_for_page(user, entry_id) -> CNISEntry:
    return visible_cnis(user).select_related("child", "la").get(pk=entry_id)


def cnis_register(user, *, include_ended: bool = False, search: str = "", limit: int = 500):
    rows = visible_cnis(user).select_related("child")
    if not include_ended:
        rows = rows.filter(ended_on__isnull=True)
    if search.strip():
        rows = rows.filter(child_id__in=name_search_ids(search))
    return list(rows.order_by("child__legal_last_name", "child__legal_first_name")[:limit])


def cnis_open_for_la(user) -> bool:
    """Whether the user's LA keeps the register of children not in school and the user may see it."""
    la = user_la(user) if can(user, Perm.VIEW_CNIS_REGISTER) else None
    return la is not None and cnis_enabled(la)
