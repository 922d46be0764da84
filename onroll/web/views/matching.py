"""Is this child already known? A search with reasons; and likely duplicate children for business support
(merge, "not the same child", undo)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onroll.accounts.permissions import Perm
from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.children.models import Child
from onroll.children.queries import visible_children
from onroll.matching import merging
from onroll.matching.duplicates import open_pairs
from onroll.matching.models import DuplicatePair, Merge, PairStatus
from onroll.matching.services import check_search_input, profile_from_data, search

from ..govuk_fields import GovDateField
from .common import apply_service_errors, require, today


class FindChildForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=200, required=False)
    last_name = forms.CharField(label="Last name", max_length=200, required=False)
    date_of_birth = GovDateField(
        label="Date of birth",
        label_lower="the date of birth",
        required=False,
        help_text="For example, 27 3 2015",
    )
    upn = forms.CharField(label="UPN", max_length=40, required=False)
    postcode = forms.CharField(label="Postcode", max_length=20, required=False)


@login_required
def find_child(request):
    """Search before create, on its own: anyone who can see children may ask whether one is known."""
    require(request.user, Perm.VIEW_CHILD)
    form = FindChildForm(request.GET or None)
    found = None
    if request.GET and form.is_valid():
        d = form.cleaned_data
        try:
            cleaned = check_search_input(
                first_name=d["first_name"],
                last_name=d["last_name"],
                date_of_birth=d["date_of_birth"],
                upn=d["upn"],
                today=today(),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            profile = profile_from_data(
                {**d, "upn": cleaned["upn"]}, addresses=[("", d["postcode"], True)] if d["postcode"] else ()
            )
            found = search(profile, within=visible_children(request.user))
    return render(request, "web/matching_find.html", {"form": form, "found": found})


def _la_code(user) -> str:
    return getattr(user.organisation, "la_code", "") or ""


@login_required
def duplicates(request):
    require(request.user, Perm.REVIEW_DUPLICATES)
    la_code = _la_code(request.user)
    pairs = list(open_pairs(la_code)[:100])
    children = Child.objects.in_bulk([p.child_a_id for p in pairs] + [p.child_b_id for p in pairs])
    rows = [
        (p, children[p.child_a_id], children[p.child_b_id])
        for p in pairs
        if p.child_a_id in children and p.child_b_id in children
    ]
    merges = [
        (m, merging.undo_blocker(m))
        for m in Merge.objects.filter(survivor__la__code=la_code).select_related("survivor")[:20]
    ]
    return render(request, "web/matching_duplicates.html", {"rows": rows, "merges": merges})


def _pair_in_scope(user, pair_id) -> DuplicatePair:
    try:
        return DuplicatePair.objects.get(pk=pair_id, la_code=_la_code(user), status=PairStatus.OPEN)
    except DuplicatePair.DoesNotExist as exc:
        raise Http404("Page not found") from exc


@login_required
@require_POST
def decide_pair(request, pair_id):
    require(request.user, Perm.REVIEW_DUPLICATES)
    pair = _pair_in_scope(request.user, pair_id)
    action = request.POST.get("action", "")
    if action == "not_same":
        pair.status = PairStatus.NOT_SAME
        pair.stamp(request.user)
        pair.save()
        record(
            request.user,
            Action.UPDATE,
            pair,
            child_id=pair.child_a_id,
            summary="Marked as not the same child",
        )
        messages.success(request, "Marked as two different children. They will not be suggested again.")
        return redirect("web:duplicates")
    if action not in ("keep_a", "keep_b"):
        messages.error(request, "Select which record to keep, or that they are not the same child")
        return redirect("web:duplicates")
    keep, other = (
        (pair.child_a_id, pair.child_b_id) if action == "keep_a" else (pair.child_b_id, pair.child_a_id)
    )
    try:
        done = merging.merge(request.user, Child.objects.get(pk=keep), Child.objects.get(pk=other), pair=pair)
    except (ValidationError, Child.DoesNotExist) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("web:duplicates")
    messages.success(request, f"Merged {done.merged_name} into {done.survivor.full_name}'s record.")
    return redirect("web:duplicates")


@login_required
@require_POST
def undo_merge(request, merge_id):
    require(request.user, Perm.REVIEW_DUPLICATES)
    try:
        m = Merge.objects.get(pk=merge_id, survivor__la__code=_la_code(request.user))
    except Merge.DoesNotExist as exc:
        raise Http404("Page not found") from exc
    try:
        merging.undo(request.user, m)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Undid the merge: {m.merged_name} has their own record again.")
    return redirect("web:duplicates")
