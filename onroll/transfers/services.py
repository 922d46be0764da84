"""Common Transfer Files and children moving across LA boundaries: one function per business action."""

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from onroll.accounts.models import Role
from onroll.accounts.permissions import Perm, can, is_la_staff, is_school_staff
from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.casework.models import ReferralSource
from onroll.casework.services import add_note, open_case
from onroll.children.models import Ethnicity, NameKind
from onroll.children.services import add_address, create_child
from onroll.core import upn as upn_rules
from onroll.core.dates import long_date, past_date_problem
from onroll.procedures.models import Task, TaskStatus
from onroll.procedures.services import open_case_task
from onroll.schools.calendar import CalendarNotCovered, nth_school_day_after, nth_working_day_after
from onroll.schools.models import LocalAuthority, School
from onroll.schools.queries import NoCalendar, calendar_for

from .ctf_import import known_from_database
from .ctf_reader import Address, ContactData, Header, Known, PupilData, SchoolSpell
from .ctf_writer import CTF_VERSION, file_name, write_ctf
from .known import CHOOSE, record_arrival_decision, search_for_notice
from .models import (
    LA_ESTAB,
    LOST,
    OUTSIDE,
    ArrivalNotice,
    ArrivalStatus,
    ConfirmedHow,
    CtfFile,
    CtfPupil,
    DestinationKind,
    Direction,
    Move,
    MoveDestination,
    MoveStatus,
)

CTF_DUE_SCHOOL_DAYS = 15  # Education (Pupil Information) (England) Regulations 2005: reference/ctf.md
SEND_CTF_TITLE = "Send the CTF"


def send_ctf_step_id(enrolment) -> str:
    """One "Send the CTF" task per enrolment that ended (a case may see more than one school's deletion)."""
    return f"send_ctf:{enrolment.pk}"


def open_ctf_deadline(user, enrolment, case, left_on: dt.date) -> Task:
    """Open the school's task "Send the CTF", due 15 school days after `left_on` on the school's calendar and
    escalated to the LA's CME officer on the first school day it is overdue. Safe to call again: the task
    already open for this enrolment is returned.

    When the school's calendar does not cover those dates (or there is none) the task still opens, with no
    due date and a note saying why, so a deletion is never blocked and the duty is never lost silently."""
    school = enrolment.school
    due_on = escalate_on = None
    due_note = ""
    try:
        days = calendar_for(school)
        due_on = nth_school_day_after(days, left_on, CTF_DUE_SCHOOL_DAYS)
        escalate_on = nth_school_day_after(days, due_on, 1)
    except (NoCalendar, CalendarNotCovered) as exc:
        due_note = (
            f"Due {CTF_DUE_SCHOOL_DAYS} school days after {long_date(left_on)}, when the pupil left; "
            f"the date cannot be counted yet: {exc}"
        )
    return open_case_task(
        user,
        case,
        step_id=send_ctf_step_id(enrolment),
        title=SEND_CTF_TITLE,
        role=Role.SCHOOL_LEAD,
        school=school,
        opened_on=left_on,
        due_on=due_on,
        due_note=due_note,
        evidence_required=(
            "The CTF's file name and the date it was uploaded to School to School (s2s); to the new school, "
            "or to XXXXXXX (Lost Pupil Database) when the destination is unknown"
        ),
        escalate_on=escalate_on,
        escalate_to=Role.CME_OFFICER,
    )


# --- Producing a CTF for a leaving pupil -------------------------------------------------------------------


def _source_for(user, child) -> tuple[str, str, object]:
    """(LA number, establishment, school) a user sends from: their school, or their LA as LLLL."""
    org = user.organisation
    if is_school_staff(user):
        school = School.objects.filter(organisation=org).select_related("la").first()
        if school is None or not child.enrolments.filter(school=school).exists():
            raise ValidationError({"destination_kind": "The pupil has never been on your school's roll"})
        return school.la.code, school.estab_number, school
    if is_la_staff(user):
        if not LocalAuthority.objects.filter(code=org.la_code).exists():
            raise ValidationError({"destination_kind": f"LA {org.la_code} is not set up in Onroll"})
        return org.la_code, LA_ESTAB, None
    raise PermissionDenied("Only school or LA staff can produce a CTF")


def destination_code(kind: str, la: str, estab: str, known: Known) -> str:
    """The 7-character destination for a choice on the form; ValidationError naming what is wrong."""
    la, estab = (la or "").strip(), (estab or "").strip().upper()
    if kind == DestinationKind.UNKNOWN:
        return LOST
    if kind == DestinationKind.OUTSIDE:
        return OUTSIDE
    errors = {}
    if not la:
        errors["la_number"] = "Enter the LA number (three digits)"
    if kind == DestinationKind.SCHOOL and not estab:
        errors["estab_number"] = "Enter the school's establishment number (four digits)"
    if errors:
        raise ValidationError(errors)
    if kind == DestinationKind.LA:
        estab = LA_ESTAB
    elif estab == LA_ESTAB:
        raise ValidationError({"estab_number": "To send to an LA, choose 'A local authority'"})
    problem = known.laestab_problem(la, estab)
    if problem:
        field = "la_number" if "LA number" in problem or "not an LA" in problem else "estab_number"
        raise ValidationError({field: problem})
    return la + estab


def pupil_from_child(child, *, include_address: bool = True) -> PupilData:
    """The facts a CTF carries about a child, from what Onroll holds (confidential addresses never)."""
    names = list(child.names.filter(kind=NameKind.FORMER).order_by("until", "last_name"))
    address = child.addresses.filter(confidential=False, to_date__isnull=True).first()
    pupil = PupilData(
        number=1,
        upn=child.upn,
        surname=child.legal_last_name,
        forename=child.legal_first_name,
        dob=child.date_of_birth,
        sex=child.sex,
        former_upn=child.former_upn,
        middle_names=child.legal_middle_names,
        preferred_surname=child.preferred_last_name,
        preferred_forename=child.preferred_first_name,
        former_names=[(n.first_name, n.last_name) for n in names],
        ethnicity="" if child.ethnicity == Ethnicity.NOBT else child.ethnicity,
        address=(
            Address(address.line_1, address.line_2, address.town, address.postcode)
            if address and include_address
            else None
        ),
        contacts=[
            ContactData(
                name=c.name,
                relationship=c.relationship,
                parental_responsibility=c.parental_responsibility,
                phones=[p for p in (c.phone, c.phone_other) if p],
                email=c.email,
            )
            for c in child.contacts.all()
        ],
    )
    spells = {}
    for row in CtfPupil.objects.filter(child=child).order_by("ctf__created_at"):
        for s in row.school_history:
            spells[(s["laestab"], s["entry_date"])] = SchoolSpell(
                la=s["laestab"][:3],
                estab=s["laestab"][3:],
                name=s["name"],
                entry_date=dt.date.fromisoformat(s["entry_date"]) if s["entry_date"] else None,
                leaving_date=dt.date.fromisoformat(s["leaving_date"]) if s["leaving_date"] else None,
                leaving_reason=s["leaving_reason"],
            )
        for year in row.attendance:
            pupil.attendance = [
                y for y in pupil.attendance if (y["year"], y["laestab"]) != (year["year"], year["laestab"])
            ]
            pupil.attendance.append(year)
    for e in child.enrolments.select_related("school", "school__la"):
        spells[(e.school.laestab, e.entry_date.isoformat())] = SchoolSpell(
            la=e.school.la.code,
            estab=e.school.estab_number,
            name=e.school.name,
            entry_date=e.entry_date,
            leaving_date=e.leaving_date,
            leaving_reason=e.leaving_reason,
        )
    pupil.schools = sorted(spells.values(), key=lambda s: (s.entry_date or dt.date.min, s.laestab))
    return pupil


@transaction.atomic
def produce_ctf(user, child, kind: str, la_number: str = "", estab_number: str = "", *, now: dt.datetime):
    """Write a CTF for one pupil to the chosen destination, keep it, audit it, and mark the open
    "Send the CTF" tasks for this pupil (from the sender's school) done."""
    if not can(user, Perm.SEND_CTF):
        raise PermissionDenied("Not allowed to produce CTFs")
    if kind not in DestinationKind.values:
        raise ValidationError({"destination_kind": "Choose where the CTF is going"})
    if not child.upn:
        raise ValidationError({"destination_kind": "The child has no UPN: add it before producing a CTF"})
    source_la, source_estab, school = _source_for(user, child)
    known, _ = known_from_database()
    destination = destination_code(kind, la_number, estab_number, known)
    if destination == source_la + source_estab:
        raise ValidationError({"estab_number": "The CTF cannot go to the school or LA that sends it"})
    source = source_la + source_estab
    sequence = (
        CtfFile.objects.filter(direction=Direction.SENT, source=source, destination=destination).count() + 1
    )
    header = Header(
        source_la=source_la,
        source_estab=source_estab,
        source_name=school.name if school else "",
        dest_la=destination[:3],
        dest_estab=destination[3:],
    )
    content = write_ctf(header, [pupil_from_child(child)], written_at=now)
    la = LocalAuthority.objects.get(code=source_la)
    ctf = CtfFile(
        direction=Direction.SENT,
        la=la,
        school=school,
        file_name=file_name(source, destination, sequence),
        sha256=hashlib.sha256(content).hexdigest(),
        source=source,
        destination=destination,
        destination_kind=kind,
        sequence=sequence,
        ctf_version=CTF_VERSION,
        pupils=1,
        content=content.decode("utf-8"),
    )
    ctf.stamp(user)
    ctf.save()
    CtfPupil.objects.create(ctf=ctf, child=child, upn=child.upn)
    where = {LOST: "destination unknown (Lost Pupil Database)", OUTSIDE: "outside the maintained sector"}
    record(
        user,
        Action.CREATE,
        ctf,
        child_id=child.pk,
        summary=f"Produced CTF {ctf.file_name}: {where.get(destination, 'to ' + destination)}",
    )
    _mark_ctf_tasks_done(user, child, school, ctf, now.date())
    return ctf


def _mark_ctf_tasks_done(user, child, school, ctf: CtfFile, on: dt.date):
    tasks = Task.objects.select_for_update().filter(
        case__child=child, procedure__isnull=True, step_id__startswith="send_ctf:", status=TaskStatus.OPEN
    )
    if school is not None:
        tasks = tasks.filter(school=school)
    for task in tasks:
        task.status, task.done_on, task.done_by = TaskStatus.DONE, max(on, task.opened_on), user
        task.evidence = f"CTF {ctf.file_name} produced in Onroll on {long_date(on)}"
        task.stamp(user)
        task.save()
        record(
            user, Action.UPDATE, task, child_id=child.pk, summary=f"Task done: {task.title} ({ctf.file_name})"
        )


# --- Children moving to another LA or abroad ----------------------------------------------------------------

CONFIRM_MOVE_WORKING_DAYS = 20  # about four school weeks, the period national practice treats as missing


@transaction.atomic
def record_move(user, case, data: dict, *, today: dt.date) -> Move:
    """Record that the child on a case has moved to another LA or abroad. The case stays open, with an LA
    task "Confirm ..." due in 20 working days, until the move is confirmed (`confirm_move`)."""
    if not can(user, Perm.TRACK_MOVES):
        raise PermissionDenied("Not allowed to record moves")
    if not case.is_open:
        raise ValidationError("The case is closed: reopen it to record a move")
    errors = {}
    destination = data.get("destination")
    if destination == MoveDestination.OTHER_LA:
        if not data.get("to_la") and not (data.get("to_la_name") or "").strip():
            errors["to_la"] = "Choose the LA the child has moved to, or type its name"
        elif data.get("to_la") and data["to_la"].pk == case.la_id:
            errors["to_la"] = "Choose another LA: the child's case is already in this one"
    elif destination == MoveDestination.ABROAD:
        if not (data.get("country") or "").strip():
            errors["country"] = "Enter the country the child has moved to"
    else:
        errors["destination"] = "Choose where the child has moved to"
    if problem := past_date_problem(data.get("moved_on"), today, "the date the child moved"):
        errors["moved_on"] = problem
    if not (data.get("how_known") or "").strip():
        errors["how_known"] = "Say how the move is known (who told you, what was checked)"
    if errors:
        raise ValidationError(errors)
    move = Move(case=case, recorded_by=user, **{k: v for k, v in data.items() if k in MOVE_FIELDS})
    if destination == MoveDestination.ABROAD:
        move.to_la, move.to_la_name = None, ""
    move.stamp(user)
    move.full_clean(exclude=["task"])
    move.save()
    due_on = nth_working_day_after(today, CONFIRM_MOVE_WORKING_DAYS)
    move.task = open_case_task(
        user,
        case,
        step_id=f"confirm_move:{move.pk}",
        title=f"Confirm {case.child.full_name} is on a roll or in suitable education ({move.where})",
        role=Role.CME_OFFICER,
        opened_on=today,
        due_on=due_on,
        evidence_required=(
            "How it was confirmed, when and by whom: the new LA's or school's confirmation that the child is "
            "on roll, or that the child is receiving suitable education"
        ),
        escalate_on=nth_working_day_after(due_on, 1),
        escalate_to=Role.PANEL_CHAIR,
    )
    move.save(update_fields=["task"])
    record(user, Action.CREATE, move, child_id=case.child_id, summary=f"Recorded move: {move}")
    return move


MOVE_FIELDS = (
    "destination",
    "to_la",
    "to_la_name",
    "country",
    "moved_on",
    "new_address",
    "new_school",
    "how_known",
    "notes",
)


@transaction.atomic
def record_notified(user, move: Move, notified_on: dt.date, *, today: dt.date) -> Move:
    if not can(user, Perm.TRACK_MOVES):
        raise PermissionDenied("Not allowed to record moves")
    move = Move.objects.select_for_update().get(pk=move.pk)
    if notified_on is None:
        raise ValidationError({"notified_on": "Enter the date the notification was sent"})
    if notified_on > today:
        raise ValidationError(
            {"notified_on": "The date the notification was sent must be today or in the past"}
        )
    move.notified_on = notified_on
    move.stamp(user)
    move.save()
    record(
        user,
        Action.UPDATE,
        move,
        child_id=move.case.child_id,
        summary=f"Notified {move.where} of the move on {long_date(notified_on)}",
    )
    return move


@transaction.atomic
def confirm_move(user, move: Move, data: dict, *, today: dt.date) -> Move:
    """Record how, when and by whom the child was confirmed on a roll or in suitable education; this
    completes the move's task. Closing the case (with its outcome) is a separate step."""
    if not can(user, Perm.TRACK_MOVES):
        raise PermissionDenied("Not allowed to record moves")
    move = Move.objects.select_for_update(of=("self",)).select_related("case").get(pk=move.pk)
    if move.status == MoveStatus.CONFIRMED:
        raise ValidationError("This move has already been confirmed")
    errors = {}
    how, on = data.get("confirmed_how"), data.get("confirmed_on")
    if how not in ConfirmedHow.values:
        errors["confirmed_how"] = "Choose how the child was confirmed"
    elif how == ConfirmedHow.ON_ROLL and not (data.get("confirmed_school") or "").strip():
        errors["confirmed_school"] = "Enter the school the child is on the roll of"
    if problem := past_date_problem(on, today, "the date it was confirmed"):
        errors["confirmed_on"] = problem
    elif on < move.moved_on:
        errors["confirmed_on"] = (
            f"The date it was confirmed must be on or after {long_date(move.moved_on)}, the move"
        )
    if not (data.get("confirmed_by_name") or "").strip():
        errors["confirmed_by_name"] = "Enter who confirmed it (name and organisation)"
    if not (data.get("confirmation_evidence") or "").strip():
        errors["confirmation_evidence"] = "Enter what was confirmed and how (email, phone call, s2s record)"
    if errors:
        raise ValidationError(errors)
    move.status = MoveStatus.CONFIRMED
    move.confirmed_how, move.confirmed_on = how, on
    move.confirmed_by_name = data["confirmed_by_name"].strip()
    move.confirmed_school = (data.get("confirmed_school") or "").strip()
    move.confirmation_evidence = data["confirmation_evidence"].strip()
    move.stamp(user)
    move.save()
    summary = (
        f"Move confirmed: {ConfirmedHow(how).label.lower()}, by {move.confirmed_by_name} on {long_date(on)}"
    )
    record(user, Action.UPDATE, move, child_id=move.case.child_id, summary=summary)
    if move.task_id:
        task = Task.objects.select_for_update().get(pk=move.task_id)
        if task.status == TaskStatus.OPEN:
            task.status, task.done_on, task.done_by = TaskStatus.DONE, max(on, task.opened_on), user
            task.evidence = f"{summary}. {move.confirmation_evidence}"
            task.stamp(user)
            task.save()
            record(user, Action.UPDATE, task, child_id=move.case.child_id, summary=f"Task done: {task.title}")
    return move


# --- Notifications from other LAs about children arriving ---------------------------------------------

ARRIVAL_FIELDS = (
    "from_la",
    "from_la_name",
    "received_on",
    "sender",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "upn",
    "address",
    "previous_school",
    "details",
)


def _users_la(user) -> LocalAuthority:
    la = LocalAuthority.objects.filter(code=getattr(user.organisation, "la_code", None)).first()
    if la is None or not is_la_staff(user):
        raise PermissionDenied("Only LA staff record notifications from other LAs")
    return la


@transaction.atomic
def record_arrival(user, data: dict, *, today: dt.date) -> ArrivalNotice:
    if not can(user, Perm.TRACK_MOVES):
        raise PermissionDenied("Not allowed to record notifications")
    la = _users_la(user)
    errors = {}
    if not data.get("from_la") and not (data.get("from_la_name") or "").strip():
        errors["from_la"] = "Choose the LA that sent the notification, or type its name"
    elif data.get("from_la") and data["from_la"].pk == la.pk:
        errors["from_la"] = "Choose another LA: this notification is from your own"
    for name, what in (("received_on", "the date it was received"), ("date_of_birth", "date of birth")):
        if problem := past_date_problem(data.get(name), today, what, required=False):
            errors[name] = problem
    cleaned = {}
    if data.get("upn"):
        try:
            cleaned["upn"] = upn_rules.validate(data["upn"])
        except upn_rules.UPNError as exc:
            errors["upn"] = str(exc)
    if errors:
        raise ValidationError(errors)
    notice = ArrivalNotice(la=la, **{**{k: v for k, v in data.items() if k in ARRIVAL_FIELDS}, **cleaned})
    notice.stamp(user)
    notice.full_clean()
    notice.save()
    record(user, Action.CREATE, notice, summary=f"Notification received from {notice.from_where}: {notice}")
    return notice


@transaction.atomic
def link_arrival(user, notice: ArrivalNotice, child=None, *, today: dt.date) -> ArrivalNotice:
    """Link the notice to a child the search before create shows, or (child None) create the child from
    the notice. The search runs again here, so the choice is checked against what Onroll holds now, and
    what was shown and chosen is recorded as a matching decision."""
    if not can(user, Perm.TRACK_MOVES):
        raise PermissionDenied("Not allowed to record notifications")
    notice = ArrivalNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.child_id:
        raise ValidationError("This notification is already linked to a child")
    found = search_for_notice(user, notice)
    if child is not None and not any(c.child.pk == child.pk for c in found.candidates):
        raise ValidationError(CHOOSE)
    if child is None:
        child = create_child(
            user,
            {
                "legal_first_name": notice.first_name,
                "legal_last_name": notice.last_name,
                "date_of_birth": notice.date_of_birth,
                "sex": notice.sex,
                "upn": notice.upn,
                "la": notice.la,
            },
            today=today,
        )
        if notice.address.strip():
            lines = [line.strip() for line in notice.address.replace(",", "\n").splitlines() if line.strip()]
            add_address(user, child, {"line_1": lines[0][:200], "line_2": ", ".join(lines[1:])[:200]})
    record_arrival_decision(user, notice, found, child)
    notice.child, notice.status = child, ArrivalStatus.LINKED
    notice.stamp(user)
    notice.save()
    record(
        user,
        Action.UPDATE,
        notice,
        child_id=child.pk,
        summary=f"Notification from {notice.from_where} linked",
    )
    return notice


@transaction.atomic
def open_case_for_arrival(user, notice: ArrivalNotice, data: dict, *, today: dt.date):
    """Open a case for the child a notice is linked to, identified on the day the notice was received."""
    if not can(user, Perm.TRACK_MOVES):
        raise PermissionDenied("Not allowed to record notifications")
    notice = ArrivalNotice.objects.select_for_update(of=("self",)).select_related("child").get(pk=notice.pk)
    if notice.child is None:
        raise ValidationError("Link the notification to a child first")
    if notice.case_id:
        raise ValidationError("A case is already open for this notification")
    case = open_case(
        user,
        notice.child,
        {
            "category": data["category"],
            "primary_reason": data["primary_reason"],
            "referral_source": ReferralSource.OTHER_LA,
            "date_identified": notice.received_on,
            "lead_professional": user,
        },
    )
    add_note(
        user,
        case,
        f"Notification from {notice.from_where} ({notice.sender}): {notice.details or 'no details'}",
    )
    notice.case, notice.status = case, ArrivalStatus.CASE_OPENED
    notice.stamp(user)
    notice.save()
    record(user, Action.UPDATE, notice, child_id=notice.child_id, summary=f"Opened case {case.reference}")
    return case
