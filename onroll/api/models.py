"""Per-user API tokens (only a hash of each token is kept: the token itself is shown once, when it is made)
and the create requests a client asked to be safe to retry."""

import uuid

from django.conf import settings
from django.db import models

from onroll.core.models import TrackedModel


class ApiToken(TrackedModel):
    """A token acts as its user, with the same permissions and the same children in scope."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="what the token is for, so its owner can tell it apart")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token")
    prefix = models.CharField(max_length=12, help_text="the token's first characters, shown in the list")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class CreateRequest(models.Model):
    """A POST /children the client labelled with an Idempotency-Key. A retry of it (say after a timeout)
    gets the first answer back instead of making a second child."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    decision = models.ForeignKey("matching.MatchDecision", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_create_per_idempotency_key")]

    def __str__(self):
        return f"{self.user} {self.key}"
