"""Reading children: the one place that decides which children a user may see.

School staff see children who are or were on their roll and children their school referred; LA staff
see children of their LA or on the roll of its schools; a partner agency sees children whose case was
shared with it or that it referred. Cases and referrals are reached through their reverse relations.
"""

from django.db.models import Q, QuerySet

from onroll.accounts.models import OrganisationKind
from onroll.accounts.permissions import Perm, can
from onroll.core import upn as upn_rules

from .models import Child, ChildName, Enrolment
from .names import search_key


def visible_children(user) -> QuerySet[Child]:
    if not can(user, Perm.VIEW_CHILD) or user.organisation is None:
        return Child.objects.none()
    org = user.organisation
    if org.kind == OrganisationKind.LA_TEAM:
        on_la_roll = Enrolment.objects.filter(school__la__code=org.la_code).values("child_id")
        scope = Q(la__code=org.la_code) | Q(id__in=on_la_roll)
    elif org.kind == OrganisationKind.SCHOOL:
        on_roll = Enrolment.objects.filter(school__organisation=org).values("child_id")
        scope = Q(id__in=on_roll) | Q(referrals__referrer_org=org)
    else:
        scope = Q(cases__shared_with=org) | Q(referrals__referrer_org=org)
    # distinct() because the reverse joins can repeat a child.
    return Child.objects.filter(scope).distinct()


def child_for_page(user, child_id) -> Child:
    """The child with everything its page shows, or Child.DoesNotExist if out of scope."""
    child = visible_children(user).select_related("la").get(pk=child_id)
    return child


def enrolments_of(child: Child):
    return child.enrolments.select_related("school", "school__la").order_by("-entry_date")


def addresses_for(user, child: Child):
    """A child's addresses; confidential ones only for roles allowed to see them."""
    addresses = child.addresses.all()
    if not can(user, Perm.VIEW_CONFIDENTIAL_ADDRESS):
        addresses = addresses.filter(confidential=False)
    return addresses


def name_search_ids(text: str):
    """Children whose any name (legal, preferred, former) starts with the words given.

    One word matches a first or last name; two or more match "first ... last". Uses the prefix index.
    """
    words = [search_key(w) for w in text.split() if search_key(w)]
    if not words:
        return ChildName.objects.none().values("child_id")
    if len(words) == 1:
        cond = Q(last_key__startswith=words[0]) | Q(first_key__startswith=words[0])
    else:
        cond = Q(first_key__startswith=words[0], last_key__startswith=words[-1])
    return ChildName.objects.filter(cond).values("child_id")


def looks_like_upn(text: str) -> bool:
    value = upn_rules.normalise(text)
    return len(value) == 13 and value[0].isalpha() and value[1:12].isdigit()
