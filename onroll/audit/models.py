"""The append-only audit log: every change and every view of a child or case.

Rows are never updated or deleted by the app: the model refuses, and database triggers (see the
migration) refuse too, so neither a bug nor the admin site can rewrite history.
"""

import uuid

from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    STATUS_CHANGE = "status_change", "Changed status"
    CLOSE = "close", "Closed"
    DELETE = "delete", "Deleted"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_OUT = "sign_out", "Signed out"


class AuditEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # No database constraint and no cascade: the row is append-only, so deleting a user must not try to
    # rewrite it (deactivate users instead); `username` keeps the name readable either way.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.UUIDField(null=True)
    child_id = models.UUIDField(
        null=True, help_text="the child this event concerns, for 'who viewed this child'"
    )
    summary = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["child_id", "-at"], name="audit_child"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only")
