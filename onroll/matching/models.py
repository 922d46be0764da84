"""What matching remembers: each search-before-create decision, pairs the batch job found, and merges."""

from django.db import models

from onroll.children.models import Child
from onroll.core.models import TrackedModel


class Door(models.TextChoices):
    REFERRAL = "referral", "Referral form"
    CTF = "ctf", "CTF import"
    SEARCH = "search", "Search"
    OTHER = "other", "Other"


class Decision(models.TextChoices):
    LINKED = "linked", "Linked to an existing child"
    NEW = "new", "Confirmed as a new child"


class MatchDecision(TrackedModel):
    """A person who looked for a child before creating one, what they were shown and what they chose."""

    door = models.CharField(max_length=10, choices=Door.choices)
    searched = models.JSONField(help_text="what was searched for")
    shown = models.JSONField(default=list, help_text="candidates shown: child id, probability, reasons")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    model_version = models.CharField(
        max_length=40, blank=True, help_text="empty when exact-field search was used"
    )

    class Meta:
        ordering = ["-created_at"]
