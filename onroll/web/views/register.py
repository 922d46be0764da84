from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from onroll.accounts.models import Organisation
from onroll.accounts.permissions import Perm
from onroll.casework import queries
from onroll.casework.models import Reason, Vulnerability

from ..forms import RegisterFilterForm
from .common import require, today


def _filter_form(request):
    user = request.user
    la_code = user.organisation.la_code if user.organisation else ""
    return RegisterFilterForm(
        request.GET or None,
        reasons=Reason.objects.filter(active=True),
        organisations=Organisation.objects.filter(la_code=la_code).exclude(kind="agency").only("id", "name"),
        vulnerabilities=Vulnerability.objects.filter(active=True),
        leads=get_user_model().objects.filter(organisation__la_code=la_code, role__in=settings.LEAD_ROLES),
    )


@login_required
def register(request):
    require(request.user, Perm.VIEW_REGISTER)
    form = _filter_form(request)
    filters = queries.RegisterFilters(today=today())
    if form.is_valid():
        d = form.cleaned_data
        filters.search = d["q"]
        filters.category = d["category"]
        filters.reason = d["reason"]
        filters.school = d["school"] or None
        filters.year_group = d["year_group"]
        filters.vulnerability = d["vulnerability"]
        filters.lead = d["lead"] or None
    page = queries.register_page(request.user, filters, request.GET.get("after", ""))
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "web/register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "is_first_page": not request.GET.get("after"),
        },
    )


@login_required
def my_cases(request):
    require(request.user, Perm.VIEW_REGISTER)
    cases = list(queries.my_cases(request.user)[:200])
    return render(request, "web/my_cases.html", {"cases": cases})
