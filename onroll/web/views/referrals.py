from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from onroll.accounts.permissions import Perm
from onroll.referrals.services import make_referral

from ..forms import ReferralForm
from .common import apply_service_errors, require, today


@login_required
def new_referral(request):
    require(request.user, Perm.MAKE_REFERRAL)
    user = request.user
    initial = {
        "referral_date": today(),
        "referrer_name": user.get_full_name(),
        "referrer_contact": " ".join(filter(None, [user.email, getattr(user.organisation, "phone", "")])),
    }
    form = ReferralForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = make_referral(user, form.to_service_data(), today=today())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, f"Referral received. Case {referral.case.reference} is on the register."
            )
            return redirect("web:case", case_id=referral.case_id)
    return render(request, "web/referral.html", {"form": form})
