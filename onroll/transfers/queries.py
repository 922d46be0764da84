"""Reading CTF files, moves and arrival notices, scoped to the user: out of scope answers DoesNotExist."""

from django.db.models import QuerySet

from onroll.accounts.permissions import Perm, can, is_la_staff, is_school_staff
from onroll.casework.queries import visible_cases
from onroll.children.queries import visible_children
from onroll.schools.models import LocalAuthority

from .models import ArrivalNotice, ArrivalStatus, CtfFile, CtfPupil, Direction, Move


def visible_ctf_files(user) -> QuerySet[CtfFile]:
    """School staff see their school's files; LA staff their LA's (its own files and its schools')."""
    if not (can(user, Perm.SEND_CTF) or can(user, Perm.IMPORT_CTF)) or user.organisation is None:
        return CtfFile.objects.none()
    if is_school_staff(user):
        return CtfFile.objects.filter(school__organisation=user.organisation)
    if is_la_staff(user):
        return CtfFile.objects.filter(la__code=user.organisation.la_code)
    return CtfFile.objects.none()


def ctf_files_of_child(user, child) -> QuerySet[CtfFile]:
    return visible_ctf_files(user).filter(pupil_rows__child=child).distinct().order_by("-created_at")


def ctf_history_of_child(user, child) -> tuple[list[dict], list[dict]]:
    """Schools Onroll does not hold and attendance summaries, from the CTFs about a child the user can see:
    (spells, years), each listed once, newest file's version first."""
    spells, years = {}, {}
    rows = (
        CtfPupil.objects.filter(child=child, ctf__in=visible_ctf_files(user))
        .select_related("ctf")
        .order_by("-ctf__created_at")
    )
    for row in rows:
        for spell in row.school_history:
            spells.setdefault((spell["laestab"], spell["entry_date"]), {**spell, "file": row.ctf.file_name})
        for year in row.attendance:
            years.setdefault((year["year"], year["laestab"]), {**year, "file": row.ctf.file_name})
    return (
        sorted(spells.values(), key=lambda s: s["entry_date"], reverse=True),
        sorted(years.values(), key=lambda y: y["year"], reverse=True),
    )


def ctf_to_download(user, ctf_id) -> CtfFile:
    """A file Onroll produced, for a child the user can see (CtfFile.DoesNotExist otherwise)."""
    ctf = visible_ctf_files(user).filter(direction=Direction.SENT).get(pk=ctf_id)
    child_ids = ctf.pupil_rows.values_list("child_id", flat=True)
    if not visible_children(user).filter(pk__in=child_ids).exists():
        raise CtfFile.DoesNotExist
    return ctf


def moves_of(case) -> QuerySet[Move]:
    return case.moves.select_related("to_la", "task").order_by("-moved_on")


def move_for(user, move_id) -> Move:
    if not can(user, Perm.TRACK_MOVES):
        raise Move.DoesNotExist
    return (
        Move.objects.select_related("case", "case__child", "case__la", "to_la", "task", "recorded_by")
        .filter(case__in=visible_cases(user))
        .get(pk=move_id)
    )


def users_la(user) -> LocalAuthority | None:
    if not is_la_staff(user):
        return None
    return LocalAuthority.objects.filter(code=user.organisation.la_code).first()


def visible_arrivals(user) -> QuerySet[ArrivalNotice]:
    la = users_la(user)
    if la is None or not can(user, Perm.TRACK_MOVES):
        return ArrivalNotice.objects.none()
    return ArrivalNotice.objects.filter(la=la).select_related("from_la", "child", "case")


def arrivals_list(user, *, show: str = "open") -> QuerySet[ArrivalNotice]:
    notices = visible_arrivals(user)
    if show == "open":
        notices = notices.exclude(status=ArrivalStatus.CASE_OPENED)
    return notices.order_by("-received_on", "-created_at")


def arrival_for(user, notice_id) -> ArrivalNotice:
    return visible_arrivals(user).get(pk=notice_id)
