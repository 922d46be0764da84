"""A CTF held for review: some of its pupils may be children Onroll knows, so the importer chooses for each
before the file is applied. The file is kept server-side for the one user who uploaded it, until it is
imported, abandoned, or HOLD_FOR has passed."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from onroll.accounts.permissions import Perm, can
from onroll.audit.models import Action
from onroll.audit.services import record

from .ctf_import import Checked, ImportResult, check_ctf, import_ctf
from .known import PupilReview, resolve_choices
from .models import HeldCtf

HOLD_FOR = dt.timedelta(days=7)


def held_by(user):
    """The user's own held files that have not expired: nobody else may see or finish them."""
    if not getattr(user, "pk", None) or not can(user, Perm.IMPORT_CTF):
        return HeldCtf.objects.none()
    return HeldCtf.objects.filter(created_by=user, expires_at__gt=timezone.now()).select_related("school")


@transaction.atomic
def hold_ctf(user, data: bytes, checked: Checked) -> HeldCtf:
    """Keep an upload whose pupils need decisions (`checked.result.review`); expired holds are cleared on
    the way."""
    if not can(user, Perm.IMPORT_CTF):
        raise PermissionDenied("Not allowed to import CTFs")
    HeldCtf.objects.filter(expires_at__lte=timezone.now()).delete()
    result = checked.result
    held = HeldCtf(
        la=checked.la,
        school=checked.school,
        file_name=result.file_name[:200],
        content=data,
        joined_on=checked.joined_on,
        pupils=result.pupils,
        to_decide=len(result.review),
        expires_at=timezone.now() + HOLD_FOR,
    )
    held.stamp(user)
    held.save()
    record(
        user,
        Action.CREATE,
        held,
        summary=(
            f"Held CTF {held.file_name} for review: {held.to_decide} of {held.pupils} pupils may be "
            "children Onroll knows"
        ),
    )
    return held


def review_held(user, held: HeldCtf, *, today: dt.date):
    """The file checked again now, for its review page: candidates are always today's."""
    return check_ctf(user, bytes(held.content), held.file_name, today=today, joined_on=held.joined_on)


def pupils_to_review(checked: Checked) -> list[PupilReview]:
    """The pupils in a checked file who may be known children, with their candidates, nothing chosen."""
    if checked.done:
        return []
    return resolve_choices(checked.read.pupils, checked.found, checked.matches, None)[1]


@transaction.atomic
def apply_held(user, held: HeldCtf, choices: dict[int, str], *, today: dt.date) -> ImportResult:
    """Import a held file with the importer's choices, all or nothing. The hold goes once the file is
    imported (or found already imported); with a choice missing or no longer possible nothing changes."""
    held = held_by(user).select_for_update(of=("self",)).get(pk=held.pk)
    result = import_ctf(
        user, bytes(held.content), held.file_name, today=today, joined_on=held.joined_on, choices=choices
    )
    if not result.refused and not result.review:
        held.delete()
    return result


@transaction.atomic
def abandon_held(user, held: HeldCtf):
    held = held_by(user).select_for_update(of=("self",)).get(pk=held.pk)
    record(user, Action.DELETE, held, summary=f"Abandoned held CTF {held.file_name}: nothing imported")
    held.delete()
