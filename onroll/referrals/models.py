"""A referral as it arrived: who sent it, when, and what they said (Portsmouth appendix 5 fields)."""

from django.conf import settings
from django.db import models

from onroll.accounts.models import Organisation
from onroll.casework.models import Case
from onroll.children.models import Child
from onroll.core.models import TrackedModel


class Referral(TrackedModel):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    referrer_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_made")
    referrer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_made",
    )
    referrer_name = models.CharField(max_length=200)
    referrer_contact = models.CharField("referrer contact details", max_length=300)
    referral_date = models.DateField()
    date_received = models.DateField()
    details = models.TextField(
        help_text="where the child was seen, how you know they are not on roll, "
        "whether you spoke to the parents"
    )
    # The one-time key the form page carried: a double click or a re-sent POST brings the same key back, and
    # the constraint below stops it making a second child and case. Blank on referrals made before the key.
    submission_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-referral_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="one_referral_per_submission_key",
            )
        ]
