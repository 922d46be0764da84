from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from onroll.accounts.permissions import Perm, can
from onroll.audit import queries as audit_queries
from onroll.audit.services import record_view
from onroll.casework.queries import visible_cases
from onroll.children import queries
from onroll.children.models import Child

from .common import require, today


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
    return render(
        request,
        "web/child.html",
        {
            "child": child,
            "addresses": queries.addresses_for(request.user, child),
            "contacts": child.contacts.all(),
            "enrolments": queries.enrolments_of(child),
            "former_names": child.names.filter(kind="former"),
            "cases": visible_cases(request.user).filter(child=child).select_related("primary_reason"),
            "nc_year": child.nc_year(on),
            "is_csa": child.is_compulsory_school_age(on),
            "can_see_audit": can(request.user, Perm.VIEW_AUDIT),
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
