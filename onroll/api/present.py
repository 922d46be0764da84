"""Children and candidates as the API shows them. Addresses follow the same confidentiality rule as the
child's page."""

from django.urls import reverse

from onroll.children.models import Child, NameKind
from onroll.children.queries import addresses_for
from onroll.matching.services import SearchResult

from .schemas import AddressOut, CandidateOut, ChildOut, ContactOut, EnrolmentOut, FormerNameIn


def child_url(request, child_id) -> str:
    return request.build_absolute_uri(reverse("api_v1:get_child", kwargs={"child_id": child_id}))


def candidates_out(request, found: SearchResult) -> list[CandidateOut]:
    return [
        CandidateOut(
            child_id=c.child.pk,
            full_name=c.child.full_name,
            date_of_birth=c.child.date_of_birth,
            probability=round(c.probability, 4),
            suggested=c.suggested,
            possible_sibling=c.possible_sibling,
            reasons=c.reasons,
            url=child_url(request, c.child.pk),
        )
        for c in found.candidates
    ]


def child_out(request, child: Child) -> ChildOut:
    user = request.user
    return ChildOut(
        id=child.pk,
        legal_first_name=child.legal_first_name,
        legal_middle_names=child.legal_middle_names,
        legal_last_name=child.legal_last_name,
        preferred_first_name=child.preferred_first_name,
        preferred_last_name=child.preferred_last_name,
        former_names=[
            FormerNameIn(first_name=n.first_name, last_name=n.last_name)
            for n in child.names.filter(kind=NameKind.FORMER)
        ],
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        upn=child.upn,
        former_upn=child.former_upn,
        la_code=child.la.code,
        flags=child.flags(),
        addresses=[
            AddressOut(
                line_1=a.line_1,
                line_2=a.line_2,
                town=a.town,
                postcode=a.postcode,
                from_date=a.from_date,
                to_date=a.to_date,
                current=a.is_current,
            )
            for a in addresses_for(user, child)
        ],
        contacts=[
            ContactOut(
                name=c.name,
                relationship=c.relationship,
                parental_responsibility=c.parental_responsibility,
                phone=c.phone,
            )
            for c in child.contacts.all()
        ],
        enrolments=[
            EnrolmentOut(
                school=e.school.name,
                urn=e.school.urn,
                entry_date=e.entry_date,
                leaving_date=e.leaving_date,
                status=e.status,
            )
            for e in child.enrolments.select_related("school")
        ],
        web_url=request.build_absolute_uri(reverse("web:child", args=[child.pk])),
    )
