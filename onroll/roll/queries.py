"""Reading for removal from roll: the LA's enquiry list, a case's enquiry log and the joint-enquiries
verdict, and proposals in the user's scope (the evidence for a proposal is in evidence.py)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from onroll.accounts.models import OrganisationKind
from onroll.accounts.permissions import Perm, can
from onroll.children.models import VULNERABILITY_FLAGS
from onroll.schools.queries import la_id_of

from .enquiries import DONE_OUTCOMES, JointEnquiries, ListEntry, LoggedEnquiry, joint_enquiries
from .models import DeletionGround, DeletionProposal, Enquiry, EnquiryKind, ProposalStatus

# --- enquiries ---------------------------------------------------------------------------------------------


def enquiry_list(la) -> QuerySet[EnquiryKind]:
    """The LA's own active list if it has one, else the default list."""
    own = EnquiryKind.objects.filter(la=la)
    chosen = own if own.exists() else EnquiryKind.objects.filter(la__isnull=True)
    return chosen.filter(active=True).order_by("order", "label")


def child_flags(child) -> list[str]:
    return [name for name, _ in VULNERABILITY_FLAGS if getattr(child, name)]


@dataclass(frozen=True)
class ChecklistRow:
    kind: EnquiryKind
    required: bool
    done_by: tuple[str, ...]  # sides that completed it ("School", "Local authority")
    entries: tuple[Enquiry, ...]


@dataclass(frozen=True)
class EnquiryLog:
    verdict: JointEnquiries
    checklist: tuple[ChecklistRow, ...]
    entries: tuple[Enquiry, ...]


def enquiry_log(case) -> EnquiryLog:
    kinds = list(enquiry_list(case.la))
    entries = tuple(case.enquiries.select_related("kind", "organisation", "created_by"))
    flags = child_flags(case.child)
    verdict = joint_enquiries(
        [ListEntry(k.code, k.label, k.required, k.required_if_flag) for k in kinds],
        [LoggedEnquiry(e.kind.code, e.side, e.outcome, e.made_on) for e in entries],
        flags,
    )
    rows = []
    for kind in kinds:
        mine = tuple(e for e in entries if e.kind.code == kind.code)
        done = tuple(sorted({e.get_side_display() for e in mine if e.outcome in DONE_OUTCOMES}))
        required = kind.required or (kind.required_if_flag in flags if kind.required_if_flag else False)
        rows.append(ChecklistRow(kind=kind, required=required, done_by=done, entries=mine))
    return EnquiryLog(verdict=verdict, checklist=tuple(rows), entries=entries)


# --- proposals ---------------------------------------------------------------------------------------------


def visible_proposals(user) -> QuerySet[DeletionProposal]:
    """A school sees its own pupils' proposals; an LA team those for its schools; nobody else any."""
    if not can(user, Perm.VIEW_REGISTER) or user.organisation is None:
        return DeletionProposal.objects.none()
    org = user.organisation
    if org.kind == OrganisationKind.SCHOOL:
        return DeletionProposal.objects.filter(school__organisation=org)
    if org.kind == OrganisationKind.LA_TEAM:
        return DeletionProposal.objects.filter(school__la_id=la_id_of(org))
    return DeletionProposal.objects.none()


LIST_LIMIT = 200  # rows per table on the removals page


def removals_list(user) -> tuple[list[DeletionProposal], list[DeletionProposal]]:
    """(open proposals, the latest deletions) in the user's scope, newest first."""
    rows = visible_proposals(user).select_related("child", "school", "ground", "decided_by")
    open_ones = list(rows.filter(status=ProposalStatus.PROPOSED).order_by("-created_at")[:LIST_LIMIT])
    deleted = list(
        rows.filter(status=ProposalStatus.DELETED).order_by("-deleted_on", "-created_at")[:LIST_LIMIT]
    )
    return open_ones, deleted


def proposal_for_page(user, proposal_id) -> DeletionProposal:
    return (
        visible_proposals(user)
        .select_related(
            "child", "school", "school__la", "case", "ground", "enrolment", "decided_by", "deleted_by"
        )
        .get(pk=proposal_id)
    )


def proposals_for_child(user, child):
    return visible_proposals(user).filter(child=child).select_related("ground", "school")


def active_grounds() -> QuerySet[DeletionGround]:
    return DeletionGround.objects.filter(active=True)


def history_grounds() -> QuerySet[DeletionGround]:
    return DeletionGround.objects.filter(active=False)
