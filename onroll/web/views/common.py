"""What every view shares: the permission gate, today's date and the navigation."""

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from onroll.accounts.permissions import Perm, can, is_la_staff, is_school_staff


def require(user, perm: Perm):
    """Out-of-scope and not-allowed both answer 404, so nobody can probe which records exist."""
    if not can(user, perm):
        raise Http404("Page not found")


def apply_service_errors(form, exc: ValidationError):
    """Show a service's ValidationError on the form's fields (or on the form when it names none)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def render_record_form(
    request, form, *, title: str, button: str, caption: str, back_url: str, back_label: str
):
    """The one-question-set page used by every add and change form on a child or a case."""
    return render(
        request,
        "web/record_form.html",
        {
            "form": form,
            "title": title,
            "button": button,
            "caption": caption,
            "back_url": back_url,
            "back_label": back_label,
        },
    )


def save_from_form(request, form, action, success: str, then):
    """On a valid POST run `action(cleaned_data)`; show a service's errors on the form, or confirm and go
    to `then`. Returns None when the form should be shown (again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success)
    return redirect(then)


def version_of(record) -> str:
    """What an edit form carries to detect that someone else saved in the meantime."""
    return record.modified_at.isoformat()


def parse_version(value: str):
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def submission_key(request) -> str:
    """The one-time key a form page that creates a child carried back in its POST, or "" (a GET, or a page
    from before the key existed). Only a UUID is taken: the pages only ever hand out those, and an altered
    page cannot overflow the column. The page hands out `new_submission_key()` when it has none."""
    try:
        return str(uuid.UUID(request.POST.get("submission_key", "")))
    except ValueError:
        return ""


def new_submission_key() -> str:
    return str(uuid.uuid4())


def today() -> dt.date:
    return timezone.localdate()


def navigation(request):
    """Context processor: the service navigation for the signed-in user's role."""
    user = request.user
    if not user.is_authenticated:
        return {}
    items = []
    if can(user, Perm.VIEW_REGISTER):
        items += [("My cases", "web:my_cases"), ("Register", "web:register")]
    if can(user, Perm.VIEW_CHILD):
        items.append(("Find a child", "web:find_child"))
    if can(user, Perm.WORK_TASKS):
        items.insert(0, ("My tasks", "web:my_tasks"))
    if can(user, Perm.MAKE_REFERRAL):
        items.append(("Make a referral", "web:new_referral"))
    if can(user, Perm.IMPORT_ATTENDANCE):
        items.append(("Import attendance", "web:import_attendance"))
    if can(user, Perm.IMPORT_CTF):
        items.append(("Import a CTF", "web:import_ctf"))
    if can(user, Perm.TRACK_MOVES) and is_la_staff(user):
        items.append(("Arrivals from other LAs", "web:arrivals"))
    if can(user, Perm.VIEW_EHE_REGISTER):
        items.append(("Home education", "web:ehe_register"))
    if can(user, Perm.VIEW_CNIS_REGISTER):
        from onroll.registers.queries import cnis_open_for_la  # the register is behind the LA's setting

        if cnis_open_for_la(user):
            items.append(("Not in school", "web:cnis_register"))
    if can(user, Perm.VIEW_REGISTER) and (is_la_staff(user) or is_school_staff(user)):
        items.append(("Removals from roll", "web:removals"))
    if can(user, Perm.MAKE_NEW_PUPIL_RETURN) or can(user, Perm.VIEW_NEW_PUPIL_RETURNS):
        items.append(("New pupil returns", "web:new_pupil_returns"))
    if can(user, Perm.REVIEW_DUPLICATES):
        items.append(("Likely duplicates", "web:duplicates"))
    if can(user, Perm.VIEW_CHILD):
        items.append(("API tokens", "api:tokens"))  # for systems that ask Onroll through its API
    if can(user, Perm.ADMIN):
        items.append(("Administration", "admin:index"))
    path = request.path
    nav = []
    for label, name in items:
        url = reverse(name)
        nav.append(
            {"label": label, "url": url, "active": path == url or (url != "/" and path.startswith(url))}
        )
    return {"nav_items": nav}


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
