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

    class Meta:
        ordering = ["-referral_date"]
