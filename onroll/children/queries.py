"""Reading children: the one place that decides which children a user may see.

School staff see children who are or were on their roll and children their school referred; LA staff
see children of their LA or on the roll of its schools; a partner agency sees children whose case was
shared with it or that it referred.
"""

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from onroll.accounts.models import OrganisationKind
from onroll.accounts.permissions import Perm, can
from onroll.core import upn as upn_rules
from onroll.schools.queries import la_id_of

from .models import Child, ChildName, Enrolment
from .names import search_key


def visible_children(user) -> QuerySet[Child]:
    if not can(user, Perm.VIEW_CHILD) or user.organisation is None:
        return Child.objects.none()
    org = user.organisation
    # Correlated EXISTS rather than IN (subquery): a single child's page then costs an index probe, not a
    # scan of every enrolment in the LA.
    this_child = OuterRef("pk")
    if org.kind == OrganisationKind.LA_TEAM:
        la_id = la_id_of(org)
        on_la_roll = Enrolment.objects.filter(child=this_child, school__la_id=la_id)
        return Child.objects.filter(Q(la_id=la_id) | Exists(on_la_roll))
    referred = _referral_model().objects.filter(child=this_child, referrer_org=org)
    if org.kind == OrganisationKind.SCHOOL:
        on_roll = Enrolment.objects.filter(child=this_child, school__organisation=org)
        return Child.objects.filter(Exists(on_roll) | Exists(referred))
    shared = _case_model().shared_with.through.objects.filter(case__child=this_child, organisation=org)
    return Child.objects.filter(Exists(shared) | Exists(referred))


def _referral_model():
    # Referrals and cases sit above children; look their models up by name instead of importing them.
    return apps.get_model("referrals", "Referral")


def _case_model():
    return apps.get_model("casework", "Case")


def child_for_page(user, child_id) -> Child:
    """The child with everything its page shows, or Child.DoesNotExist if out of scope."""
    return visible_children(user).select_related("la").get(pk=child_id)


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
        return ChildName.objects.none().values_list("child_id", flat=True)
    if len(words) == 1:
        cond = Q(last_key__startswith=words[0]) | Q(first_key__startswith=words[0])
    else:
        cond = Q(first_key__startswith=words[0], last_key__startswith=words[-1])
    return ChildName.objects.filter(cond).values_list("child_id", flat=True)


def looks_like_upn(text: str) -> bool:
    value = upn_rules.normalise(text)
    return len(value) == 13 and value[0].isalpha() and value[1:12].isdigit()
