"""What every view shares: the permission gate, today's date and the navigation."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from onroll.accounts.permissions import Perm, can


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
    if can(user, Perm.MAKE_REFERRAL):
        items.append(("Make a referral", "web:new_referral"))
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
