from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from onroll.accounts.permissions import Perm, can
from onroll.audit.services import record_view
from onroll.casework import queries, services
from onroll.casework.models import Case

from ..forms import ChangeStatusForm, CloseCaseForm, ContactAttemptForm, NoteForm
from .common import apply_service_errors, require, today


def _case_or_404(user, case_id) -> Case:
    try:
        return queries.case_for_page(user, case_id)
    except Case.DoesNotExist:
        raise Http404("Page not found") from None


def _version(case: Case) -> str:
    return case.modified_at.isoformat()


def _parse_version(value: str):
    from datetime import datetime

    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@login_required
def case_detail(request, case_id):
    require(request.user, Perm.VIEW_REGISTER)
    case = _case_or_404(request.user, case_id)
    record_view(request.user, case, child_id=case.child_id)
    user = request.user
    return render(
        request,
        "web/case.html",
        {
            "case": case,
            "child": case.child,
            "vulnerabilities": case.vulnerabilities.all(),
            "timeline": queries.timeline(case),
            "note_form": NoteForm() if can(user, Perm.ADD_NOTE) else None,
            "can_record_contact": can(user, Perm.RECORD_CONTACT),
            "can_change_status": can(user, Perm.CHANGE_STATUS) and case.is_open,
            "can_close": can(user, Perm.CLOSE_CASE) and case.is_open,
            "can_reopen": can(user, Perm.CHANGE_STATUS) and not case.is_open,
        },
    )


@login_required
def add_note(request, case_id):
    require(request.user, Perm.ADD_NOTE)
    case = _case_or_404(request.user, case_id)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_note(request.user, case, form.cleaned_data["text"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Note added")
            return redirect("web:case", case_id=case.pk)
    return render(
        request,
        "web/case_form.html",
        {
            "case": case,
            "form": form,
            "title": "Add a note",
            "button": "Add note",
        },
    )


@login_required
def record_contact(request, case_id):
    require(request.user, Perm.RECORD_CONTACT)
    case = _case_or_404(request.user, case_id)
    form = ContactAttemptForm(request.POST or None, initial={"made_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_contact_attempt(request.user, case, form.cleaned_data, today=today())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Contact attempt recorded")
            return redirect("web:case", case_id=case.pk)
    return render(
        request,
        "web/case_form.html",
        {
            "case": case,
            "form": form,
            "title": "Record a contact attempt",
            "button": "Record contact attempt",
        },
    )


@login_required
def change_status(request, case_id):
    require(request.user, Perm.CHANGE_STATUS)
    case = _case_or_404(request.user, case_id)
    allowed = services.ALLOWED_TRANSITIONS[case.category]
    form = ChangeStatusForm(request.POST or None, allowed=allowed, initial={"version": _version(case)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.change_category(
                request.user,
                case,
                d["to_category"],
                d["reason"],
                today=today(),
                expected_modified_at=_parse_version(d["version"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Status changed")
            return redirect("web:case", case_id=case.pk)
    title = "Reopen the case" if not case.is_open else "Change the status"
    return render(
        request, "web/case_form.html", {"case": case, "form": form, "title": title, "button": title}
    )


@login_required
def close_case(request, case_id):
    require(request.user, Perm.CLOSE_CASE)
    case = _case_or_404(request.user, case_id)
    if not case.is_open:
        raise Http404("Page not found")
    form = CloseCaseForm(request.POST or None, initial={"version": _version(case), "date_closed": today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.close_case(
                request.user,
                case,
                d["outcome"],
                d["date_closed"],
                d["reason"],
                today=today(),
                expected_modified_at=_parse_version(d["version"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Case closed")
            return redirect("web:case", case_id=case.pk)
    return render(
        request,
        "web/case_form.html",
        {
            "case": case,
            "form": form,
            "title": "Close the case",
            "button": "Close case",
        },
    )
