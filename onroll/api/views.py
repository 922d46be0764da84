"""The user's own API tokens: make one (shown once), see when each was last used, revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onroll.accounts.permissions import Perm
from onroll.web.views.common import apply_service_errors, require

from .models import ApiToken
from .tokens import issue_token, revoke_token, tokens_of


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name of the token",
        help_text="What it is for, for example 'Admissions system nightly check'",
        max_length=100,
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Name must be 100 characters or fewer",
        },
    )


@login_required
def api_tokens(request):
    # Tokens only help someone who can use the API's endpoints, which all start from seeing children.
    require(request.user, Perm.VIEW_CHILD)
    form = TokenForm(request.POST or None)
    new_token = new_name = None
    if request.method == "POST" and form.is_valid():
        try:
            api_token, new_token = issue_token(request.user, form.cleaned_data["name"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            new_name, form = api_token.name, TokenForm()
    response = render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens_of(request.user), "new_token": new_token, "new_name": new_name},
    )
    # The token is in this page once; no cache may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request, token_id):
    require(request.user, Perm.VIEW_CHILD)
    try:
        api_token = revoke_token(request.user, token_id)
    except ApiToken.DoesNotExist as exc:
        raise Http404("Page not found") from exc
    messages.success(request, f"Token '{api_token.name}' revoked. It can no longer be used.")
    return redirect("api:tokens")


def api_not_found(request):
    return JsonResponse({"detail": "Not found", "errors": {}}, status=404)
