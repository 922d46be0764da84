"""Merging two records of one child: everything that points at the merged child (cases, enrolments,
addresses, contacts, names, referrals, registers, marks, history) moves to the survivor, both names are
kept, the merge is audited, and it can be undone while nothing new was added to the survivor."""

import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.children.models import Child, ChildName, NameKind

from .models import DuplicatePair, Merge, PairStatus

OWN_APP = "matching"


def _relations():
    """Every foreign key to Child from another app: (model, field name)."""
    for rel in Child._meta.related_objects:
        if rel.related_model._meta.app_label == OWN_APP or not rel.field.many_to_one:
            continue
        yield rel.related_model, rel.field.name


@transaction.atomic
def merge(user, survivor: Child, merged: Child, *, pair: DuplicatePair | None = None) -> Merge:
    if survivor.pk == merged.pk:
        raise ValidationError("A child cannot be merged into itself")
    survivor = Child.objects.select_for_update().get(pk=survivor.pk)
    merged = Child.objects.select_for_update().get(pk=merged.pk)
    fields = {f.attname: getattr(merged, f.attname) for f in Child._meta.concrete_fields if f.name != "id"}
    snapshot = json.loads(json.dumps(fields, cls=DjangoJSONEncoder))
    name_kinds = {
        str(n.pk): n.kind for n in merged.names.filter(kind__in=[NameKind.LEGAL, NameKind.PREFERRED])
    }
    # The merged child's names stay as the survivor's former names, so a search for either finds them.
    merged.names.filter(kind__in=[NameKind.LEGAL, NameKind.PREFERRED]).update(kind=NameKind.FORMER)
    moved = {}
    for model, field in _relations():
        rows = model._default_manager.filter(**{field: merged})
        pks = [str(pk) for pk in rows.values_list("pk", flat=True)]
        if not pks:
            continue
        try:
            with transaction.atomic():
                rows.update(**{field: survivor})
        except IntegrityError as exc:
            raise ValidationError(
                f"Both children have a {model._meta.verbose_name} that cannot be combined; "
                "sort that out on one of the records first"
            ) from exc
        moved[model._meta.label] = [field, pks]
    survivor_before = {}
    if merged.upn and merged.upn != survivor.upn and not survivor.former_upn:
        survivor_before["former_upn"] = survivor.former_upn
        survivor.former_upn = merged.upn
    survivor.stamp(user)
    survivor.save()
    result = Merge(
        survivor=survivor,
        merged_child_id=merged.pk,
        merged_name=f"{merged.full_name}, born {merged.date_of_birth:%d %B %Y}",
        snapshot=snapshot,
        moved=moved,
        name_kinds=name_kinds,
        survivor_before=survivor_before,
        pair=pair,
    )
    result.stamp(user)
    result.save()
    both = [merged.pk, survivor.pk]
    merged.delete()
    DuplicatePair.objects.filter(status=PairStatus.OPEN, child_a_id__in=both, child_b_id__in=both).update(
        status=PairStatus.MERGED
    )
    record(
        user,
        Action.UPDATE,
        result,
        child_id=survivor.pk,
        summary=f"Merged {result.merged_name} into this record",
        changes={"merged_child": [str(result.merged_child_id), str(survivor.pk)]},
    )
    return result


def undo_blocker(m: Merge) -> str:
    """Why this merge can no longer be undone, or '' when it can."""
    if m.undone_at:
        return "This merge has already been undone"
    for model, field in _relations():
        if not any(f.name == "created_at" for f in model._meta.get_fields()):
            continue
        newer = model._default_manager.filter(**{field: m.survivor_id, "created_at__gt": m.created_at})
        if newer.exists():
            return f"A {model._meta.verbose_name} was added to the record after the merge"
    if ChildName.objects.filter(
        child_id=m.survivor_id, kind=NameKind.FORMER, until__gt=m.created_at.date()
    ).exists():
        return "A name was changed after the merge"
    return ""


@transaction.atomic
def undo(user, m: Merge) -> Child:
    m = Merge.objects.select_for_update().get(pk=m.pk)
    if blocker := undo_blocker(m):
        raise ValidationError(blocker)
    survivor = Child.objects.select_for_update().get(pk=m.survivor_id)
    data = {k: v for k, v in m.snapshot.items() if k not in ("created_at", "modified_at")}
    restored = Child(pk=m.merged_child_id, **data)
    restored.stamp(user)
    restored.save(force_insert=True)
    by_label = {model._meta.label: (model, field) for model, field in _relations()}
    for label, (field, pks) in m.moved.items():
        model, _ = by_label[label]
        model._default_manager.filter(pk__in=pks).update(**{field: restored})
    for name_id, kind in m.name_kinds.items():
        ChildName.objects.filter(pk=int(name_id)).update(kind=kind)
    for name, value in m.survivor_before.items():
        setattr(survivor, name, value)
    survivor.stamp(user)
    survivor.save()
    m.undone_at = timezone.now()
    m.stamp(user)
    m.save()
    if m.pair_id:
        DuplicatePair.objects.filter(pk=m.pair_id).update(status=PairStatus.OPEN)
    record(user, Action.UPDATE, m, child_id=survivor.pk, summary=f"Undid the merge of {m.merged_name}")
    record(user, Action.CREATE, restored, child_id=restored.pk, summary="Record restored by undoing a merge")
    return restored
