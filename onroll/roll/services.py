"""Business actions for reasonable enquiries and removal from roll. Each runs in a transaction, locks what
it changes, checks the current state, changes it and writes the audit event."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from onroll.accounts.models import OrganisationKind, Role
from onroll.accounts.permissions import Perm, can
from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.casework.models import Case, Category, Reason, ReferralSource
from onroll.casework.services import open_case
from onroll.children.models import Enrolment, EnrolmentStatus
from onroll.core.dates import long_date, past_date_problem
from onroll.procedures.models import Task, TaskStatus
from onroll.procedures.services import TaskNotYours, can_complete, complete_task, open_case_task

from . import conditions as c
from . import evidence, queries
from .models import (
    Decision,
    Declaration,
    DeletionGround,
    DeletionProposal,
    Enquiry,
    EnquiryKind,
    ProposalStatus,
    Side,
)


class NotAllowed(PermissionError):
    """The user may not take this action on this record (views answer 404)."""


def side_of(user) -> str:
    """Who made an enquiry follows from the user's organisation: a school, or an LA team."""
    org = user.organisation
    if org is not None and org.kind == OrganisationKind.SCHOOL:
        return Side.SCHOOL
    if org is not None and org.kind == OrganisationKind.LA_TEAM:
        return Side.LA
    raise NotAllowed("Only a school or an LA team records reasonable enquiries")


# --- enquiries ---------------------------------------------------------------------------------------------


@transaction.atomic
def record_enquiry(user, case: Case, data: dict, *, today: dt.date) -> Enquiry:
    if not can(user, Perm.RECORD_ENQUIRY):
        raise NotAllowed("Your role does not record enquiries")
    side = side_of(user)
    errors = {}
    kind = data.get("kind")
    if not isinstance(kind, EnquiryKind) or not queries.enquiry_list(case.la).filter(pk=kind.pk).exists():
        errors["kind"] = "Select an enquiry from the authority's list"
    made_on = data.get("made_on")
    if problem := past_date_problem(made_on, today, "the date of the enquiry"):
        errors["made_on"] = problem
    if not (data.get("evidence") or "").strip():
        errors["evidence"] = "Enter the evidence note: who was asked, and what they said"
    if errors:
        raise ValidationError(errors)
    enquiry = Enquiry(
        case=case,
        kind=kind,
        side=side,
        organisation=user.organisation,
        made_on=made_on,
        method=data.get("method", ""),
        outcome=data.get("outcome", ""),
        evidence=data["evidence"].strip(),
    )
    enquiry.stamp(user)
    enquiry.full_clean()
    enquiry.save()
    record(
        user,
        Action.CREATE,
        enquiry,
        child_id=case.child_id,
        summary=f"Recorded enquiry on {case.reference}: {kind.label} ({enquiry.get_side_display()}, "
        f"{enquiry.get_outcome_display()})",
    )
    return enquiry


# --- proposing ---------------------------------------------------------------------------------------------


def _school_of(user):
    org = user.organisation
    if org is None or org.kind != OrganisationKind.SCHOOL or not hasattr(org, "school"):
        raise NotAllowed("Only a school proposes a deletion from its own roll")
    return org.school


PROPOSAL_FIELDS = (
    "ehe_notice_received_on",
    "ehe_last_day",
    "new_address",
    "new_address_from",
    "new_carer",
    "destination_school",
    "destination_start",
)


@transaction.atomic
def propose_deletion(
    user, child, data: dict, *, today: dt.date, case: Case | None = None
) -> DeletionProposal:
    """A school proposes to delete a pupil on its roll under one ground; nothing leaves the roll yet."""
    if not can(user, Perm.PROPOSE_DELETION):
        raise NotAllowed("Your role does not propose deletions")
    school = _school_of(user)
    enrolment = (
        Enrolment.objects.select_for_update()
        .filter(child=child, school=school, status=EnrolmentStatus.ON_ROLL)
        .order_by("-entry_date")
        .first()
    )
    if enrolment is None:
        raise ValidationError(f"{child.full_name} is not on {school}'s roll, so {school} cannot delete them")
    errors = {}
    ground = data.get("ground")
    if not isinstance(ground, DeletionGround) or not ground.active:
        errors["ground"] = "Select the ground for deletion"
    proposed = data.get("proposed_date")
    if proposed is None:
        errors["proposed_date"] = "Enter the proposed deletion date"
    elif proposed < enrolment.entry_date:
        errors["proposed_date"] = (
            f"The deletion date must be on or after {long_date(enrolment.entry_date)}, when "
            f"{child.legal_first_name} joined {school}'s roll"
        )
    notice, last = data.get("ehe_notice_received_on"), data.get("ehe_last_day")
    if problem := past_date_problem(notice, today, "the date the notice was received", required=False):
        errors["ehe_notice_received_on"] = problem
    if last and not notice:
        errors["ehe_notice_received_on"] = "Enter the date the written notice was received"
    if case is not None and case.child_id != child.pk:
        errors[None] = "That case is about another child"
    if DeletionProposal.objects.filter(enrolment=enrolment, status=ProposalStatus.PROPOSED).exists():
        errors[None] = f"There is already a proposal to delete {child.full_name} from {school}'s roll"
    if errors:
        raise ValidationError({k or "__all__": v for k, v in errors.items()})
    if case is None:
        case = (
            Case.objects.filter(child=child, la=school.la)
            .exclude(category=Category.CLOSED)
            .order_by("-date_identified")
            .first()
        )
    proposal = DeletionProposal(
        enrolment=enrolment,
        child=child,
        school=school,
        case=case,
        ground=ground,
        proposed_date=proposed,
        **{
            name: data.get(name)
            or ("" if name in ("new_address", "new_carer", "destination_school") else None)
            for name in PROPOSAL_FIELDS
        },
    )
    proposal.stamp(user)
    proposal.save()
    record(
        user,
        Action.CREATE,
        proposal,
        child_id=child.pk,
        summary=f"Proposed deletion from {school}'s roll under {ground.display_code}: {ground.label}",
    )
    _ask_the_la(user, proposal, today)
    return proposal


# A case opened so the LA hears of a deletion that needs its consent: the ground's reason on the register.
CONSENT_CASE_REASONS = {"9(1)(f)": "withdrawn_by_parents"}


def _ask_the_la(user, proposal: DeletionProposal, today: dt.date) -> None:
    """When the law needs the LA's consent and no procedure step already asks the LA to decide, open the
    CME officer's task to decide (and, for a child with no open case, an at-risk case to hold it)."""
    if not evidence.consent_reasons(proposal) or evidence.procedure_permission(proposal):
        return
    if proposal.case is None:
        reason = Reason.objects.get(code=CONSENT_CASE_REASONS.get(proposal.ground.code_2024, "other"))
        proposal.case = open_case(
            user,
            proposal.child,
            {
                "category": Category.AT_RISK,
                "primary_reason": reason,
                "referral_source": ReferralSource.SCHOOL,
                "referred_by_org": user.organisation,
                "responsible_org": user.organisation,
                "date_identified": today,
            },
        )
        proposal.save(update_fields=["case", "modified_at"])
    open_case_task(
        user,
        proposal.case,
        step_id=evidence.decision_step_id(proposal),
        title=f"Decide whether to consent to {proposal.school} deleting {proposal.child.full_name} from its "
        f"roll (regulation {proposal.ground.code_2024})",
        role=Role.CME_OFFICER,
        opened_on=today,
        evidence_required="The decision and its reasons, recorded on the proposal page",
        due_note="No timescale is set; the pupil stays on roll until the LA decides.",
    )


def _lock(proposal: DeletionProposal) -> DeletionProposal:
    return (
        DeletionProposal.objects.select_for_update(of=("self",))
        .select_related("child", "school", "school__la", "ground", "case", "enrolment")
        .get(pk=proposal.pk)
    )


def _check_open(proposal: DeletionProposal):
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(f"This proposal is {proposal.get_status_display().lower()}: it cannot change")


def _check_own_school(user, proposal):
    if not can(user, Perm.PROPOSE_DELETION) or _school_of(user) != proposal.school:
        raise NotAllowed("Only the pupil's school acts on its deletion")


@transaction.atomic
def declare(
    user, proposal: DeletionProposal, answers: dict[str, bool], statement: str, *, on: dt.date | None = None
) -> list[Declaration]:
    """The school declares facts Onroll cannot know (who and when are recorded), never evidence it holds."""
    proposal = _lock(proposal)
    _check_own_school(user, proposal)
    _check_open(proposal)
    allowed = set(evidence.declarable_now(proposal, on or proposal.proposed_date))
    wrong = [fact for fact in answers if fact not in allowed or fact in c.EVIDENCE_FACTS]
    if wrong:
        raise ValidationError(f"These cannot be declared for this ground: {', '.join(wrong)}")
    if not answers:
        raise ValidationError("Answer at least one question")
    if not statement.strip():
        raise ValidationError(
            {"statement": "Enter what the declaration rests on (e.g. the letter, the call)"}
        )
    made = []
    for fact, value in answers.items():
        declaration = Declaration(proposal=proposal, fact=fact, value=value, statement=statement.strip())
        declaration.stamp(user)
        declaration.save()
        made.append(declaration)
    record(
        user,
        Action.UPDATE,
        proposal,
        child_id=proposal.child_id,
        summary=f"Declared for the deletion under {proposal.ground.code_2024}: "
        + "; ".join(f"{c.fact_text(f)}: {'yes' if v else 'no'}" for f, v in answers.items()),
    )
    return made


@transaction.atomic
def decide(
    user, proposal: DeletionProposal, decision: str, reasons: str, *, today: dt.date
) -> DeletionProposal:
    """The LA's CME officer grants or refuses permission (and any consent the law requires), with reasons."""
    if not can(user, Perm.DECIDE_DELETION):
        raise NotAllowed("Your role does not decide deletions")
    proposal = _lock(proposal)
    org = user.organisation
    if org is None or org.kind != OrganisationKind.LA_TEAM or org.la_code != proposal.school.la.code:
        raise NotAllowed("Only the school's LA decides")
    _check_open(proposal)
    errors = {}
    if decision not in (Decision.GRANTED, Decision.REFUSED):
        errors["decision"] = "Select whether permission is granted or refused"
    if not reasons.strip():
        errors["reasons"] = "Enter the reasons for the decision"
    if decision == Decision.GRANTED and evidence.investigation_open(proposal.case):
        errors["decision"] = (
            "The investigation is still open: mark the enquiries task done before granting permission"
        )
    if errors:
        raise ValidationError(errors)
    proposal.decision, proposal.decided_on, proposal.decided_by = decision, today, user
    proposal.decision_reasons = reasons.strip()
    proposal.stamp(user)
    proposal.save()
    record(
        user,
        Action.UPDATE,
        proposal,
        child_id=proposal.child_id,
        summary=f"{Decision(decision).label} to delete under {proposal.ground.code_2024}: {reasons.strip()}",
    )
    _complete_decision_tasks(user, proposal, today)
    return proposal


def _complete_decision_tasks(user, proposal, today):
    """The decision is the evidence of the procedure's permission step (granted or not: Achieving for
    Children's step also closes on a refusal, Portsmouth's written outcome either way) and of the LA's task
    to decide, when they are open."""
    if proposal.case is None:
        return
    steps = [*evidence.PERMISSION_STEP_IDS, evidence.decision_step_id(proposal)]
    tasks = Task.objects.filter(case=proposal.case, step_id__in=steps, status=TaskStatus.OPEN)
    done_with = f"{proposal.get_decision_display()} in Onroll: {proposal.decision_reasons}"
    for task in tasks:
        if can_complete(user, task) and task.opened_on <= today:
            try:
                complete_task(user, task, today, done_with, today=today)
            except (TaskNotYours, ValidationError):
                pass  # the task stays open for the officer to close by hand


@transaction.atomic
def withdraw(user, proposal: DeletionProposal, reason: str) -> DeletionProposal:
    """The school withdraws its proposal (the child returned, the LA refused); the pupil stays on roll."""
    proposal = _lock(proposal)
    _check_own_school(user, proposal)
    _check_open(proposal)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the proposal is withdrawn"})
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.stamp(user)
    proposal.save()
    record(
        user,
        Action.UPDATE,
        proposal,
        child_id=proposal.child_id,
        summary=f"Withdrew the proposal to delete under {proposal.ground.code_2024}: {reason.strip()}",
    )
    return proposal


# --- deleting ----------------------------------------------------------------------------------------------


@transaction.atomic
def delete_from_roll(
    user, proposal: DeletionProposal, deleted_on: dt.date, return_sent_on: dt.date, *, today: dt.date
) -> DeletionProposal:
    """Delete the pupil's name: only when every condition is met or declared, the LA has given any
    permission its procedure or the law requires, and no investigation is open. Produces the deletion
    return (sent no later than the deletion), closes the enrolment with the ground, opens the CTF task."""
    proposal = _lock(proposal)
    _check_own_school(user, proposal)
    _check_open(proposal)
    enrolment = Enrolment.objects.select_for_update().get(pk=proposal.enrolment_id)
    errors = {}
    if enrolment.status != EnrolmentStatus.ON_ROLL:
        raise ValidationError(f"{proposal.child.full_name} is no longer on {proposal.school}'s roll")
    if problem := past_date_problem(deleted_on, today, "the deletion date"):
        errors["deleted_on"] = problem
    elif deleted_on < enrolment.entry_date:
        errors["deleted_on"] = (
            f"The deletion date must be on or after {long_date(enrolment.entry_date)}, when the pupil joined"
        )
    if return_sent_on is None:
        errors["return_sent_on"] = "Enter the date the deletion return was sent to the LA"
    elif deleted_on and return_sent_on > deleted_on:
        errors["return_sent_on"] = "The deletion return must be sent no later than the deletion date"
    elif return_sent_on > today:
        errors["return_sent_on"] = "The date the return was sent must be today or in the past"
    if errors:
        raise ValidationError(errors)
    verdict = evidence.check(proposal, deleted_on)
    blockers = verdict.blockers(proposal)
    if blockers:
        raise ValidationError(["The pupil cannot be deleted yet."] + blockers)
    proposal.return_content = deletion_return_content(proposal, user)
    proposal.status = ProposalStatus.DELETED
    proposal.deleted_on, proposal.deleted_by, proposal.return_sent_on = deleted_on, user, return_sent_on
    proposal.stamp(user)
    proposal.save()
    ground = proposal.ground
    enrolment.status, enrolment.leaving_date = EnrolmentStatus.LEFT, deleted_on
    enrolment.leaving_reason = f"Deleted under regulation {ground.code_2024}: {ground.label}"[:200]
    enrolment.stamp(user)
    enrolment.save()
    record(
        user,
        Action.UPDATE,
        enrolment,
        child_id=proposal.child_id,
        summary=f"Deleted from {proposal.school}'s roll on {long_date(deleted_on)} under {ground.code_2024}; "
        f"deletion return sent {long_date(return_sent_on)}",
        changes={"status": ["on_roll", "left"], "leaving_date": [None, deleted_on.isoformat()]},
    )
    # The CTF task needs a case: the proposal's, or one opened for the child since.
    case = proposal.case or (
        Case.objects.filter(child=proposal.child, la=proposal.school.la)
        .exclude(category=Category.CLOSED)
        .order_by("-date_identified")
        .first()
    )
    if case is not None:
        _open_ctf_deadline(user, enrolment, case, deleted_on)
    return proposal


def _open_ctf_deadline(user, enrolment, case, left_on):
    from onroll.transfers.services import open_ctf_deadline

    open_ctf_deadline(user, enrolment, case, left_on)


def deletion_return_content(proposal: DeletionProposal, user) -> dict:
    """Regulation 13(4)(a)-(g): what the school sends the LA, kept as it was at the deletion."""
    child = proposal.child
    addresses = [a for a in child.addresses.all() if a.is_current]
    shown = [a for a in addresses if not a.confidential]
    if shown:
        address = str(shown[0])
    elif addresses:
        address = "Held confidentially by the LA (refuge or domestic abuse)"
    else:
        address = "Not known to the school"
    parents = [
        {"name": p.name, "relationship": p.relationship, "phones": [x for x in (p.phone, p.phone_other) if x]}
        for p in child.contacts.all()
        if p.lives_with_child
    ]
    ground = proposal.ground
    return {
        "full_name": child.full_name,
        "date_of_birth": long_date(child.date_of_birth),
        "upn": child.upn,
        "address": address,
        "parents": parents,
        "new_address": proposal.new_address,
        "new_address_from": long_date(proposal.new_address_from) if proposal.new_address_from else "",
        "new_carer": proposal.new_carer,
        "destination_school": proposal.destination_school,
        "destination_start": long_date(proposal.destination_start) if proposal.destination_start else "",
        "ground": f"Regulation {ground.code_2024} (2006: {ground.code_2006}): {ground.label}",
        "school": f"{proposal.school} ({proposal.school.laestab})",
        "la": str(proposal.school.la),
        "sent_by": user.get_full_name() or user.username,
    }
