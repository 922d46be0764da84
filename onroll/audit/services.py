"""Writing audit events. Every service that changes a record calls `record` inside its transaction."""

from .models import Action, AuditEvent


def record(user, action: Action, obj, *, child_id=None, summary: str = "", changes: dict | None = None):
    return AuditEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        child_id=child_id,
        summary=summary[:300],
        changes=changes or {},
    )


def record_view(user, obj, *, child_id):
    return record(user, Action.VIEW, obj, child_id=child_id, summary=f"Viewed {obj._meta.verbose_name}")


def changed_fields(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose values differ, as strings for JSON."""
    return {k: [str(before.get(k)), str(v)] for k, v in after.items() if before.get(k) != v}
