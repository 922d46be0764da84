"""What matching remembers: each search-before-create decision, pairs the batch job found, and merges."""

from django.db import models

from onroll.children.models import Child
from onroll.core.models import TrackedModel


class Door(models.TextChoices):
    REFERRAL = "referral", "Referral form"
    CTF = "ctf", "CTF import"
    ARRIVAL = "arrival", "Notification from another LA"
    NEW_PUPIL = "new_pupil", "New pupil return"
    API = "api", "API"
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


class PairStatus(models.TextChoices):
    OPEN = "open", "To review"
    MERGED = "merged", "Merged"
    NOT_SAME = "not_same", "Not the same child"


class DuplicatePair(TrackedModel):
    """Two children in the register the batch job thinks are the same child, waiting for a person."""

    # No foreign keys: a merge deletes one of the two children, and the pair must survive it.
    child_a_id = models.UUIDField(db_index=True)
    child_b_id = models.UUIDField(db_index=True)
    la_code = models.CharField(max_length=3, db_index=True)
    probability = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default=PairStatus.OPEN)

    class Meta:
        ordering = ["-probability"]
        constraints = [
            models.UniqueConstraint(fields=["child_a_id", "child_b_id"], name="one_pair_per_two_children")
        ]


class Merge(TrackedModel):
    """One child merged into another: what moved, so that it can be undone while nothing new was added."""

    survivor = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    merged_child_id = models.UUIDField(db_index=True)
    merged_name = models.CharField(max_length=300)
    snapshot = models.JSONField(help_text="the merged child's own fields, to recreate it on undo")
    moved = models.JSONField(help_text="model label -> [field, [primary keys]] moved to the survivor")
    name_kinds = models.JSONField(default=dict, help_text="ChildName id -> kind before the merge")
    survivor_before = models.JSONField(default=dict, help_text="survivor fields the merge changed")
    pair = models.ForeignKey(
        DuplicatePair, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class MatchProfile(models.Model):
    """A child's matching facts in one row, written only by database triggers (stored_profiles.py): never
    save one from Python. `facts` is the JSON array profiles.profile_from_facts reads."""

    # No foreign key: the triggers keep rows and children in step (deleting a child deletes its row).
    child_id = models.UUIDField(primary_key=True)
    facts = models.TextField()

    class Meta:
        db_table = "matching_profile"

    def __str__(self):
        return f"Matching facts of child {self.child_id}"
