"""Base model every record in Onroll inherits: a UUID key and who/when it was made and last changed."""

import uuid

from django.conf import settings
from django.db import models


class TrackedModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def stamp(self, user):
        """Record who is changing this row; services call it before save()."""
        if user is not None and getattr(user, "pk", None):
            if self._state.adding:
                self.created_by = user
            self.modified_by = user
