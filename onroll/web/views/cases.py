from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from onroll.accounts.models import Organisation, OrganisationKind
from onroll.accounts.permissions import Perm, can
from onroll.audit.services import record_view
from onroll.casework import queries, services
from onroll.casework.models import Case

from ..forms import CaseDetailsForm, ChangeStatusForm, ContactAttemptForm, NoteForm
from ..register_forms import CloseCaseForm
from .common import parse_version, render_record_form, require, save_from_form, today, version_of


def _case_or_404(user, case_id) -> Case:
    try:
        return queries.case_for_page(user, case_id)
    except Case.DoesNotExist:
        raise Http404("Page not found") from None


def _case_form(request, case, form, title, button):
    child = case.child
    return render_record_form(
        request,
        form,
        title=title,
        button=button,
        back_label="Back to the case",
        caption=f"Case {case.reference}: {child.legal_first_name} {child.legal_last_name}",
        back_url=reverse("web:case", args=[case.pk]),
    )


def _save(request, form, case, action, success: str):
    return save_from_form(request, form, action, success, reverse("web:case", args=[case.pk]))


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
            "procedures": case.procedures.select_related("pack_version", "school").prefetch_related("tasks"),
            "can_work_tasks": can(user, Perm.WORK_TASKS),
            "today": today(),
            "note_form": NoteForm() if can(user, Perm.ADD_NOTE) else None,
            "can_record_contact": can(user, Perm.RECORD_CONTACT),
            "can_edit": can(user, Perm.CHANGE_STATUS) and case.is_open,
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
    done = _save(
        request, form, case, lambda d: services.add_note(request.user, case, d["text"]), "Note added"
    )
    return done or _case_form(request, case, form, "Add a note", "Add note")


@login_required
def record_contact(request, case_id):
    require(request.user, Perm.RECORD_CONTACT)
    case = _case_or_404(request.user, case_id)
    form = ContactAttemptForm(request.POST or None, initial={"made_on": today()})
    done = _save(
        request,
        form,
        case,
        lambda d: services.record_contact_attempt(request.user, case, d, today=today()),
        "Contact attempt recorded",
    )
    return done or _case_form(request, case, form, "Record a contact attempt", "Record contact attempt")


@login_required
def change_status(request, case_id):
    require(request.user, Perm.CHANGE_STATUS)
    case = _case_or_404(request.user, case_id)
    form = ChangeStatusForm(
        request.POST or None,
        allowed=services.ALLOWED_TRANSITIONS[case.category],
        initial={"version": version_of(case)},
    )
    done = _save(
        request,
        form,
        case,
        lambda d: services.change_category(
            request.user,
            case,
            d["to_category"],
            d["reason"],
            today=today(),
            expected_modified_at=parse_version(d["version"]),
        ),
        "Status changed",
    )
    title = "Reopen the case" if not case.is_open else "Change the status"
    return done or _case_form(request, case, form, title, title)


@login_required
def close_case(request, case_id):
    require(request.user, Perm.CLOSE_CASE)
    case = _case_or_404(request.user, case_id)
    if not case.is_open:
        raise Http404("Page not found")
    form = CloseCaseForm(
        request.POST or None, case=case, initial={"version": version_of(case), "date_closed": today()}
    )
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
                details=form.details(),
                expected_modified_at=parse_version(d["version"]),
            )
        except ValidationError as exc:
            by_field = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
            for name, errors in by_field.items():
                field = form.field_for(name) if name else None
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Case closed")
            return redirect(reverse("web:case", args=[case.pk]))
    child = case.child
    return render(
        request,
        "web/close_case.html",
        {
            "form": form,
            "case": case,
            "caption": f"Case {case.reference}: {child.legal_first_name} {child.legal_last_name}",
        },
    )


@login_required
def edit_case(request, case_id):
    require(request.user, Perm.CHANGE_STATUS)
    case = _case_or_404(request.user, case_id)
    if not case.is_open:
        raise Http404("Page not found")
    initial = {
        "version": version_of(case),
        "primary_reason": case.primary_reason_id,
        "provision_type": case.provision_type,
        "hours_per_week": case.hours_per_week,
        "responsible_org": case.responsible_org_id,
        "lead_professional": case.lead_professional_id,
        "vulnerabilities": list(case.vulnerabilities.all()),
        "safeguarding_concern": case.safeguarding_concern,
        "whereabouts_unknown": case.whereabouts_unknown,
        "parents_not_engaging": case.parents_not_engaging,
    }
    la_code = case.la.code
    form = CaseDetailsForm(
        request.POST or None,
        initial=initial,
        organisations=Organisation.objects.filter(la_code=la_code).exclude(kind=OrganisationKind.AGENCY),
        leads=get_user_model().objects.filter(
            organisation__la_code=la_code, role__in=settings.LEAD_ROLES, is_active=True
        ),
    )
    done = _save(
        request,
        form,
        case,
        lambda d: services.update_case(
            request.user,
            case,
            d,
            vulnerabilities=d["vulnerabilities"],
            expected_modified_at=parse_version(d["version"]),
        ),
        "Register entry updated",
    )
    return done or _case_form(request, case, form, "Change the register entry", "Save changes")
