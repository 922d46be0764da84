"""Changes made in the Django admin (users, organisations, schools, reference lists) go into the audit
log too. The admin records each action as a LogEntry; this copies it, so the append-only log is complete."""

import uuid

from django.contrib.admin.models import ADDITION, CHANGE, DELETION

from .models import Action, AuditEvent

ACTIONS = {ADDITION: Action.CREATE, CHANGE: Action.UPDATE, DELETION: Action.DELETE}


def copy_admin_action(sender, instance, created, **kwargs):
    if not created:
        return
    try:
        object_id = uuid.UUID(str(instance.object_id))
    except ValueError:
        object_id = None  # reference lists are keyed by code; the code is in the summary
    model = instance.content_type.model_class() if instance.content_type_id else None
    AuditEvent.objects.create(
        user_id=instance.user_id,
        username=instance.user.get_username(),
        action=ACTIONS.get(instance.action_flag, Action.UPDATE),
        object_type=model._meta.label_lower if model else "",
        object_id=object_id,
        summary=f"In the admin: {instance.get_action_flag_display() or 'changed'} {instance.object_repr} "
        f"{instance.get_change_message()}"[:300],
    )
