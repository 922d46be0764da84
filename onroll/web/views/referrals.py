from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from onroll.accounts.permissions import Perm
from onroll.children.queries import visible_children
from onroll.core.submissions import AlreadySaved, saved_with
from onroll.matching.services import profile_from_data, search
from onroll.referrals.models import Referral
from onroll.referrals.services import make_referral

from ..forms import ReferralForm
from .common import apply_service_errors, new_submission_key, require, submission_key, today

NEW_CHILD = "new"


@login_required
def new_referral(request):
    require(request.user, Perm.MAKE_REFERRAL)
    user = request.user
    initial = {
        "referral_date": today(),
        "referrer_name": user.get_full_name(),
        "referrer_contact": " ".join(filter(None, [user.email, getattr(user.organisation, "phone", "")])),
    }
    key = submission_key(request)
    # Before the search: once the first POST has made the child, the search would offer that very child
    # back as a candidate, and "new child" would make a second one.
    if earlier := saved_with(Referral, user, key):
        return _already_saved(request, earlier)
    form = ReferralForm(request.POST or None, initial=initial)
    found = None
    choice_error = ""
    if request.method == "POST" and form.is_valid():
        data = form.to_service_data()
        # Search before create: is this child already known among the children this user may see?
        found = search(_profile(data), within=visible_children(user))
        choice = request.POST.get("match_choice", "")
        link_to = next((c.child for c in found.candidates if str(c.child.pk) == choice), None)
        if found.candidates and choice != NEW_CHILD and link_to is None:
            if choice:
                choice_error = "Select one of the children shown, or that this is a new child"
            return _page(request, form, found, choice_error, key)
        try:
            referral = make_referral(
                user,
                data,
                today=today(),
                link_to=link_to,
                candidates=found.candidates,
                model_version=found.model_version,
                submission_key=key,
            )
        except AlreadySaved as exc:
            return _already_saved(request, exc.record)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            how = f"linked to {referral.child.full_name}'s record" if link_to else "a new child record"
            messages.success(
                request, f"Referral received ({how}). Case {referral.case.reference} is on the register."
            )
            return redirect("web:case", case_id=referral.case_id)
    return _page(request, form, found, choice_error, key)


def _already_saved(request, referral):
    messages.success(request, "This referral was already saved. It has not been sent again.")
    return redirect("web:case", case_id=referral.case_id)


def _profile(data: dict):
    address = data["address"]
    return profile_from_data(
        data["child"],
        addresses=[(address["line_1"], address["postcode"], True)],
        parents=[(p["name"], p["phone"]) for p in data.get("parents", [])],
    )


def _page(request, form, found, choice_error: str, key: str):
    return render(
        request,
        "web/referral.html",
        {
            "form": form,
            "found": found,
            "choice_error": choice_error,
            "new_child": NEW_CHILD,
            # A page sent back (errors, candidates) keeps its key, so the POST that saves carries it.
            "submission_key": key or new_submission_key(),
        },
    )
