"""Exclusions on the child page, the elective home education register and the register of children not in
school. Thin: every rule is in casework.exclusions and registers.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from onroll.accounts.permissions import Perm, can, is_school_staff
from onroll.audit.services import record_view
from onroll.casework.exclusions import record_exclusion as record_exclusion_service
from onroll.children import queries as child_queries
from onroll.children.models import Child, EnrolmentStatus
from onroll.registers import cnis_fields, queries, services
from onroll.registers.models import CNISEntry, EHERegistration
from onroll.schools.models import School

from ..register_forms import (
    CNISEntryForm,
    EHEChangeForm,
    EHEFilterForm,
    EHERegistrationForm,
    ExclusionForm,
    ReviewForm,
)
from .common import apply_service_errors, render_record_form, require, save_from_form, today


def _child_or_404(user, child_id) -> Child:
    try:
        return child_queries.child_for_page(user, child_id)
    except Child.DoesNotExist:
        raise Http404("Page not found") from None


def _own_la_child_or_404(user, child_id) -> Child:
    """A child of the LA the user works for (registers are kept by the child's LA)."""
    child = _child_or_404(user, child_id)
    la = queries.user_la(user)
    if la is None or child.la_id != la.pk:
        raise Http404("Page not found")
    return child


def _child_form(request, child, form, title, button):
    return render_record_form(
        request,
        form,
        title=title,
        button=button,
        caption=child.full_name,
        back_url=reverse("web:child", args=[child.pk]),
        back_label="Back to the child's record",
    )


# --- Exclusions -------------------------------------------------------------------------------------------


@login_required
def record_exclusion(request, child_id):
    require(request.user, Perm.RECORD_EXCLUSION)
    child = _child_or_404(request.user, child_id)
    on_roll = child.enrolments.filter(status=EnrolmentStatus.ON_ROLL).values("school_id")
    schools = School.objects.filter(pk__in=on_roll).select_related("la")
    if is_school_staff(request.user):
        schools = schools.filter(organisation=request.user.organisation)
    form = ExclusionForm(request.POST or None, schools=schools)
    done = save_from_form(
        request,
        form,
        lambda d: record_exclusion_service(request.user, child, d, today=today()),
        "Exclusion recorded",
        reverse("web:child", args=[child.pk]),
    )
    return done or _child_form(request, child, form, "Record an exclusion", "Record exclusion")


# --- Elective home education register ---------------------------------------------------------------------


def _ehe_or_404(user, registration_id) -> EHERegistration:
    try:
        return queries.ehe_for_page(user, registration_id)
    except EHERegistration.DoesNotExist:
        raise Http404("Page not found") from None


@login_required
def ehe_register(request):
    require(request.user, Perm.VIEW_EHE_REGISTER)
    form = EHEFilterForm(request.GET or None)
    filters = queries.EHEFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = queries.EHEFilters(review=d["review"], status=d["status"], search=d["q"])
    on = today()
    return render(
        request,
        "web/registers_ehe_list.html",
        {"form": form, "rows": queries.ehe_register(request.user, filters, on), "today": on},
    )


@login_required
def ehe_entry(request, registration_id):
    require(request.user, Perm.VIEW_EHE_REGISTER)
    registration = _ehe_or_404(request.user, registration_id)
    record_view(request.user, registration, child_id=registration.child_id)
    return render(
        request,
        "web/registers_ehe_entry.html",
        {
            "registration": registration,
            "child": registration.child,
            "reviews": registration.reviews.all(),
            "today": today(),
            "can_edit": can(request.user, Perm.EDIT_EHE_REGISTER),
        },
    )


@login_required
def add_ehe(request, child_id):
    require(request.user, Perm.EDIT_EHE_REGISTER)
    child = _own_la_child_or_404(request.user, child_id)
    form = EHERegistrationForm(request.POST or None, initial={"notice_kind": "none"})
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.add_ehe_registration(
                request.user, child, form.cleaned_data, today=today()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Added to the elective home education register")
            return redirect(reverse("web:ehe_entry", args=[registration.pk]))
    return _child_form(
        request, child, form, "Add to the elective home education register", "Add to the register"
    )


def _ehe_form(request, registration, form, title, button):
    return render_record_form(
        request,
        form,
        title=title,
        button=button,
        caption=f"Elective home education: {registration.child.full_name}",
        back_url=reverse("web:ehe_entry", args=[registration.pk]),
        back_label="Back to the register entry",
    )


@login_required
def edit_ehe(request, registration_id):
    require(request.user, Perm.EDIT_EHE_REGISTER)
    registration = _ehe_or_404(request.user, registration_id)
    initial = {name: getattr(registration, name) for name in EHEChangeForm.base_fields}
    form = EHEChangeForm(request.POST or None, initial=initial)
    done = save_from_form(
        request,
        form,
        lambda d: services.update_ehe_registration(request.user, registration, d, today=today()),
        "Register entry updated",
        reverse("web:ehe_entry", args=[registration.pk]),
    )
    return done or _ehe_form(request, registration, form, "Change the register entry", "Save changes")


@login_required
def record_review(request, registration_id):
    require(request.user, Perm.EDIT_EHE_REGISTER)
    registration = _ehe_or_404(request.user, registration_id)
    if not registration.is_active:
        raise Http404("Page not found")
    form = ReviewForm(request.POST or None, initial={"done_on": today()})
    done = save_from_form(
        request,
        form,
        lambda d: services.record_review(request.user, registration, d, today=today()),
        "Suitability review recorded",
        reverse("web:ehe_entry", args=[registration.pk]),
    )
    return done or _ehe_form(request, registration, form, "Record a suitability review", "Record review")


# --- Register of children not in school (CWSA 2026), behind the LA's setting -------------------------------


def _require_cnis(user, perm: Perm):
    require(user, perm)
    if not queries.cnis_open_for_la(user):
        raise Http404("Page not found")


def _cnis_or_404(user, entry_id) -> CNISEntry:
    try:
        return queries.cnis_for_page(user, entry_id)
    except CNISEntry.DoesNotExist:
        raise Http404("Page not found") from None


def _cnis_form_page(request, form, *, title, button, caption, back_url):
    by_section = {}
    for field in cnis_fields.fields():
        by_section.setdefault(cnis_fields.SECTIONS[field.section], []).append(form[field.code])
    lead = [form[name] for name in ("registered_on", "ended_on") if name in form.fields]
    return render(
        request,
        "web/registers_cnis_form.html",
        {
            "form": form,
            "lead_fields": lead,
            "sections": list(by_section.items()),
            "unverified": [f for f in cnis_fields.fields() if not f.verified],
            "title": title,
            "button": button,
            "caption": caption,
            "back_url": back_url,
        },
    )


def _prefill(user, child) -> dict:
    """What Onroll already holds about the child, offered for the register's mandatory content."""
    address = next((a for a in child_queries.addresses_for(user, child) if a.is_current), None)
    parents = [c for c in child.contacts.all() if c.parental_responsibility]
    initial = {
        "registered_on": today(),
        "child_name": child.full_name,
        "child_date_of_birth": child.date_of_birth,
        "child_address": str(address) if address else "",
    }
    for n, parent in enumerate(parents[:2], start=1):
        initial[f"parent_{n}_name"] = parent.name
        if parent.lives_with_child and address:
            initial[f"parent_{n}_address"] = str(address)
    return initial


@login_required
def cnis_register(request):
    _require_cnis(request.user, Perm.VIEW_CNIS_REGISTER)
    search = request.GET.get("q", "")[:100]
    include_ended = request.GET.get("ended") == "1"
    return render(
        request,
        "web/registers_cnis_list.html",
        {
            "rows": queries.cnis_register(request.user, include_ended=include_ended, search=search),
            "search": search,
            "include_ended": include_ended,
        },
    )


@login_required
def cnis_entry(request, entry_id):
    _require_cnis(request.user, Perm.VIEW_CNIS_REGISTER)
    entry = _cnis_or_404(request.user, entry_id)
    record_view(request.user, entry, child_id=entry.child_id)
    return render(
        request,
        "web/registers_cnis_entry.html",
        {
            "entry": entry,
            "child": entry.child,
            "sections": cnis_fields.display(entry.data),
            "can_edit": can(request.user, Perm.EDIT_CNIS_REGISTER),
        },
    )


@login_required
def add_cnis(request, child_id):
    _require_cnis(request.user, Perm.EDIT_CNIS_REGISTER)
    child = _own_la_child_or_404(request.user, child_id)
    form = CNISEntryForm(request.POST or None, initial=_prefill(request.user, child))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.add_cnis_entry(
                request.user, child, form.cleaned_data["registered_on"], form.register_data(), today=today()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Added to the register of children not in school")
            return redirect(reverse("web:cnis_entry", args=[entry.pk]))
    return _cnis_form_page(
        request,
        form,
        title="Add to the register of children not in school",
        button="Add to the register",
        caption=child.full_name,
        back_url=reverse("web:child", args=[child.pk]),
    )


@login_required
def edit_cnis(request, entry_id):
    _require_cnis(request.user, Perm.EDIT_CNIS_REGISTER)
    entry = _cnis_or_404(request.user, entry_id)
    initial = {**cnis_fields.for_form(entry.data), "ended_on": entry.ended_on}
    form = CNISEntryForm(request.POST or None, initial=initial, editing=True)
    done = save_from_form(
        request,
        form,
        lambda d: services.update_cnis_entry(
            request.user, entry, form.register_data(), ended_on=d.get("ended_on"), today=today()
        ),
        "Register entry updated",
        reverse("web:cnis_entry", args=[entry.pk]),
    )
    return done or _cnis_form_page(
        request,
        form,
        title="Change the register entry",
        button="Save changes",
        caption=f"Not in school: {entry.child.full_name}",
        back_url=reverse("web:cnis_entry", args=[entry.pk]),
    )
