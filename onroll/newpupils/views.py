"""New pupil returns: a school records one (searching the LA's children first), and the LA reads them.

Thin: the form parses input, `services.make_return` decides. A return out of the user's scope answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from onroll.accounts.permissions import Perm, can, is_la_staff
from onroll.audit.services import record_view
from onroll.children.queries import visible_children
from onroll.core.submissions import AlreadySaved, saved_with
from onroll.matching.services import profile_from_data, search
from onroll.web.views.common import apply_service_errors, new_submission_key, require, submission_key, today

from . import queries, services
from .forms import NewPupilForm
from .models import NewPupilReturn

NEW_CHILD = "new"


def _may_see_returns(user) -> bool:
    return can(user, Perm.MAKE_NEW_PUPIL_RETURN) or can(user, Perm.VIEW_NEW_PUPIL_RETURNS)


@login_required
def return_list(request):
    if not _may_see_returns(request.user):
        raise Http404("Page not found")
    returns = list(queries.visible_returns(request.user)[: queries.LIST_LIMIT])
    return render(
        request,
        "newpupils/list.html",
        {
            "returns": returns,
            "found": [r for r in returns if r.found_case_id],
            "la_view": is_la_staff(request.user),
            "can_make": can(request.user, Perm.MAKE_NEW_PUPIL_RETURN) and queries.school_of(request.user),
            "limit": queries.LIST_LIMIT if len(returns) == queries.LIST_LIMIT else None,
        },
    )


@login_required
def return_detail(request, return_id):
    try:
        the_return = queries.visible_returns(request.user).get(pk=return_id)
    except NewPupilReturn.DoesNotExist as exc:
        raise Http404("Page not found") from exc
    record_view(request.user, the_return, child_id=the_return.child_id)
    return render(
        request,
        "newpupils/detail.html",
        {
            "r": the_return,
            "la_view": is_la_staff(request.user),
            "other_rolls": list(queries.other_rolls(the_return)) if is_la_staff(request.user) else [],
            "sees_child": visible_children(request.user).filter(pk=the_return.child_id).exists(),
        },
    )


@login_required
def new_return(request):
    require(request.user, Perm.MAKE_NEW_PUPIL_RETURN)
    school = queries.school_of(request.user)
    if school is None:
        raise Http404("Page not found")
    key = submission_key(request)
    # Before the search: once the first POST has made the child, the search would offer that very child
    # back as a candidate, and "new pupil" would make a second one.
    if earlier := saved_with(NewPupilReturn, request.user, key):
        return _already_saved(request, earlier)
    form = NewPupilForm(request.POST or None, initial={"entered_on": today(), "first_attendance": today()})
    found, choice_error = None, ""
    if request.method == "POST" and form.is_valid():
        data = form.to_service_data()
        try:
            cleaned = services.check_return(data, today=today())
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return _page(request, form, found, choice_error, key)
        # Search before create among every child the LA knows, not only those the school may see.
        found = search(_profile(data, cleaned), within=queries.la_children(school.la))
        choice = request.POST.get("match_choice", "")
        link_to = next((c.child for c in found.candidates if str(c.child.pk) == choice), None)
        if found.candidates and choice != NEW_CHILD and link_to is None:
            # The first time the candidates appear is not an error; sending the page back without a choice is.
            if choice or request.POST.get("candidates_shown"):
                choice_error = "Select one of the children shown, or that this is a new pupil"
            return _page(request, form, found, choice_error, key)
        try:
            the_return = services.make_return(
                request.user,
                data,
                today=today(),
                candidates=found.candidates,
                link_to=link_to,
                model_version=found.model_version,
                submission_key=key,
            )
        except AlreadySaved as exc:
            return _already_saved(request, exc.record)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            how = "linked to the child the LA already knew" if link_to else "as a new child"
            # With matching unavailable the school should know the search was by exact details only.
            messages.success(request, f"New pupil return sent to the LA ({how}). {found.notice}".strip())
            return redirect("web:new_pupil_return", return_id=the_return.pk)
    return _page(request, form, found, choice_error, key)


def _already_saved(request, the_return):
    messages.success(request, "This return was already saved. It has not been sent to the LA again.")
    return redirect("web:new_pupil_return", return_id=the_return.pk)


def _profile(data: dict, cleaned: dict):
    address = data["address"]
    return profile_from_data(
        {**data["child"], **cleaned},
        addresses=[(address["line_1"], address["postcode"], True)],
        parents=[(p["name"], p["phone"]) for p in data["parents"]],
    )


def _page(request, form, found, choice_error: str, key: str):
    return render(
        request,
        "newpupils/form.html",
        {
            "form": form,
            "found": found,
            "choice_error": choice_error,
            "new_child": NEW_CHILD,
            # A new page gets a fresh key; a page sent back (errors, candidates) keeps its own, so the
            # POST that finally saves carries the key the page was first given.
            "submission_key": key or new_submission_key(),
        },
    )
