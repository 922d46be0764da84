"""Reading new pupil returns: whose returns a user may see, and which children a school's search covers."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from onroll.accounts.models import OrganisationKind
from onroll.accounts.permissions import Perm, can
from onroll.children.models import Child, Enrolment, EnrolmentStatus
from onroll.schools.queries import la_id_of

from .models import NewPupilReturn

LIST_LIMIT = 200


def school_of(user):
    """The school a user works at, or None."""
    org = user.organisation
    if org is None or org.kind != OrganisationKind.SCHOOL:
        return None
    return getattr(org, "school", None)


def visible_returns(user) -> QuerySet[NewPupilReturn]:
    """A school sees the returns it made; LA staff who read returns see those of their LA's schools."""
    rows = NewPupilReturn.objects.select_related("school", "child", "found_case", "review_task")
    org = user.organisation
    if org is None:
        return rows.none()
    if org.kind == OrganisationKind.SCHOOL and can(user, Perm.MAKE_NEW_PUPIL_RETURN):
        return rows.filter(school__organisation=org)
    if org.kind == OrganisationKind.LA_TEAM and can(user, Perm.VIEW_NEW_PUPIL_RETURNS):
        return rows.filter(school__la_id=la_id_of(org))
    return rows.none()


def other_rolls(the_return):
    """Where else the child is still on roll: the old school has not deleted them yet, or they are dual
    registered. The LA follows that up."""
    return (
        Enrolment.objects.filter(child_id=the_return.child_id, status=EnrolmentStatus.ON_ROLL)
        .exclude(school_id=the_return.school_id)
        .select_related("school")
    )


def la_children(la) -> QuerySet[Child]:
    """Every child the LA knows: its own, and those on the roll of its schools. A school's search before
    create looks here, because finding a child the LA knows but the school does not is the point of the
    return; what the school is shown of them is limited by the view, not by this queryset."""
    on_la_roll = Enrolment.objects.filter(child=OuterRef("pk"), school__la_id=la.pk)
    return Child.objects.filter(Q(la_id=la.pk) | Exists(on_la_roll))
