from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from onroll.accounts.permissions import Perm, can
from onroll.attendance.queries import WEEKDAYS, attendance_for, attendance_school
from onroll.audit import queries as audit_queries
from onroll.audit.services import record_view
from onroll.casework.queries import visible_cases
from onroll.children import queries, services
from onroll.children.models import VULNERABILITY_FLAGS, Child
from onroll.schools.models import School

from ..forms import AddressForm, ChildDetailsForm, ContactForm, EnrolmentForm
from .common import parse_version, render_record_form, require, save_from_form, today, version_of


def _child_or_404(user, child_id) -> Child:
    try:
        return queries.child_for_page(user, child_id)
    except Child.DoesNotExist:
        raise Http404("Page not found") from None


@login_required
def child_detail(request, child_id):
    require(request.user, Perm.VIEW_CHILD)
    child = _child_or_404(request.user, child_id)
    record_view(request.user, child, child_id=child.pk)
    on = today()
    enrolments = list(queries.enrolments_of(child))
    return render(
        request,
        "web/child.html",
        {
            "child": child,
            "addresses": queries.addresses_for(request.user, child),
            "contacts": child.contacts.all(),
            "enrolments": enrolments,
            "attendance": attendance_for(child, attendance_school(enrolments), on),
            "weekdays": WEEKDAYS,
            "former_names": child.names.filter(kind="former"),
            "cases": visible_cases(request.user).filter(child=child).select_related("primary_reason"),
            "nc_year": child.nc_year(on),
            "is_csa": child.is_compulsory_school_age(on),
            "can_see_audit": can(request.user, Perm.VIEW_AUDIT),
            "can_edit": can(request.user, Perm.EDIT_CHILD),
        },
    )


@login_required
def child_audit(request, child_id):
    require(request.user, Perm.VIEW_AUDIT)
    child = _child_or_404(request.user, child_id)
    return render(
        request,
        "web/child_audit.html",
        {
            "child": child,
            "views": audit_queries.views_of_child(child.pk),
            "history": audit_queries.history_of_child(child.pk),
        },
    )


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


def _save(request, form, child, action, success: str):
    return save_from_form(request, form, action, success, reverse("web:child", args=[child.pk]))


@login_required
def edit_child(request, child_id):
    require(request.user, Perm.EDIT_CHILD)
    child = _child_or_404(request.user, child_id)
    initial = {name: getattr(child, name) for name in ChildDetailsForm.base_fields if hasattr(child, name)}
    initial.update(
        version=version_of(child), flags=[name for name, _ in VULNERABILITY_FLAGS if getattr(child, name)]
    )
    form = ChildDetailsForm(request.POST or None, initial=initial)
    done = _save(
        request,
        form,
        child,
        lambda d: services.update_child(
            request.user,
            child,
            form.to_service_data(),
            today=today(),
            expected_modified_at=parse_version(d["version"]),
        ),
        "Child's details updated",
    )
    return done or _child_form(request, child, form, "Change the child's details", "Save changes")


@login_required
def add_enrolment(request, child_id):
    require(request.user, Perm.EDIT_CHILD)
    child = _child_or_404(request.user, child_id)
    form = EnrolmentForm(
        request.POST or None, schools=School.objects.filter(is_open=True).select_related("la")
    )
    done = _save(
        request, form, child, lambda d: services.add_enrolment(request.user, child, d), "Roll history updated"
    )
    return done or _child_form(request, child, form, "Add to the roll history", "Add to roll history")


@login_required
def add_address(request, child_id):
    require(request.user, Perm.EDIT_CHILD)
    child = _child_or_404(request.user, child_id)
    form = AddressForm(request.POST or None)
    done = _save(
        request, form, child, lambda d: services.add_address(request.user, child, d), "Address added"
    )
    return done or _child_form(request, child, form, "Add an address", "Add address")


@login_required
def add_contact(request, child_id):
    require(request.user, Perm.EDIT_CHILD)
    child = _child_or_404(request.user, child_id)
    form = ContactForm(request.POST or None)
    done = _save(
        request, form, child, lambda d: services.add_contact(request.user, child, d), "Contact added"
    )
    return done or _child_form(request, child, form, "Add a contact", "Add contact")
