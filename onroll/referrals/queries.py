"""Reading referrals: the one a user already made from a form page, found by that page's submission key."""

from .models import Referral


def saved_with(user, submission_key: str) -> Referral | None:
    """The referral this user already made from the form page that carried `submission_key`, if any."""
    if not submission_key:
        return None
    return Referral.objects.filter(created_by=user, submission_key=submission_key).first()
