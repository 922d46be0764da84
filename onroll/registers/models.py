"""The elective home education (EHE) register and the register of children not in school (CWSA 2026).

Both sit beside the CME register, not in it (reference/cwsa_2026.md: "model CNIS as a separate register").
They refer to cases by name ("casework.Case") so that casework can put a child on the EHE register when a
case closes with that outcome, without this app importing casework.
"""

from django.db import models
from django.db.models import F, Q

from onroll.children.models import Child
from onroll.core.models import TrackedModel
from onroll.schools.models import LocalAuthority


class LASettings(TrackedModel):
    """Switches an LA sets in the admin for outcomes and registers; an LA with no row has the defaults."""

    la = models.OneToOneField(LocalAuthority, on_delete=models.CASCADE, related_name="register_settings")
    cnis_register_enabled = models.BooleanField(
        "keep the register of children not in school",
        default=False,
        help_text="Children's Wellbeing and Schools Act 2026, s38 (new Education Act 1996 ss436B-436G). "
        "Off until the duties are commenced by regulations; switching it on shows the register to the LA's "
        "CME officers, business support, panel chairs and senior leaders.",
    )
    sao_legal_referral = models.BooleanField(
        "open a legal team referral task when a school attendance order starts",
        default=False,
        help_text="Hampshire: the CME officer refers the case to the Legal Intervention Team when parents do "
        "not engage. When on, closing a case with 'school attendance order started' opens that task.",
    )
    legal_team_name = models.CharField(max_length=100, default="Legal Intervention Team")

    class Meta:
        verbose_name = "local authority register settings"
        verbose_name_plural = "local authority register settings"

    def __str__(self):
        return f"Register settings for {self.la}"


class NoticeKind(models.TextChoices):
    WRITTEN_TO_SCHOOL = "written_school", "Parent's written notice to the school"
    WRITTEN_TO_LA = "written_la", "Parent's written notice to the local authority"
    ORAL = "oral", "Told us orally (ask for it in writing)"
    NONE = "none", "No notice received yet"


class EHERegistration(TrackedModel):
    """One spell of elective home education for a child; ended when the child returns to school or leaves."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="ehe_registrations")
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="ehe_registrations")
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="ehe_registrations"
    )
    started_on = models.DateField("home education started on")
    notice_kind = models.CharField(
        "notice received", max_length=20, choices=NoticeKind.choices, default=NoticeKind.NONE
    )
    notice_received_on = models.DateField("notice received on", null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = "EHE registration"
        indexes = [models.Index(fields=["la", "ended_on"], name="ehe_la_active")]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "la"], condition=Q(ended_on__isnull=True), name="one_open_ehe_per_child"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="ehe_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"EHE from {self.started_on:%d %b %Y}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class ReviewOutcome(models.TextChoices):
    SUITABLE = "suitable", "Education is suitable"
    NOT_YET_SHOWN = "not_yet_shown", "Suitability not yet shown: enquiries continue"
    UNSUITABLE = "unsuitable", "Education is not suitable: start the school attendance order process"
    NO_ENGAGEMENT = "no_engagement", "Parents did not engage with the review"


class SuitabilityReview(TrackedModel):
    registration = models.ForeignKey(EHERegistration, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField("review due")
    done_on = models.DateField("review done", null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, outcome="") | Q(done_on__isnull=False, outcome__gt=""),
                name="review_done_with_outcome",
            )
        ]

    def __str__(self):
        return f"Suitability review due {self.due_on:%d %b %Y}"


class CNISEntry(TrackedModel):
    """One child's entry on the register of children not in school.

    The statutory content is held as `data` keyed by the codes in reference/cnis_fields.csv, so that the
    field list (several rows unverified against the Act's final text) can be corrected without a migration.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cnis_entries")
    la = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="cnis_entries")
    registered_on = models.DateField("added to the register on")
    data = models.JSONField(default=dict)
    ended_on = models.DateField("removed from the register on", null=True, blank=True)

    class Meta:
        ordering = ["-registered_on"]
        verbose_name = "entry on the register of children not in school"
        verbose_name_plural = "entries on the register of children not in school"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "la"], condition=Q(ended_on__isnull=True), name="one_open_cnis_per_child"
            )
        ]

    def __str__(self):
        return f"Not in school from {self.registered_on:%d %b %Y}"
