"""Making, using and revoking API tokens. Each change is audited like any other."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onroll.audit.models import Action
from onroll.audit.services import record

from .models import ApiToken

TOKEN_START = "onroll_"
# Writing "last used" on every request would make each API call a write; once a minute is enough to tell
# a token in use from a forgotten one.
LAST_USED_EVERY = timedelta(minutes=1)


def hash_of(token: str) -> str:
    # The token is 256 random bits, so a fast hash is enough: nothing can be guessed from it.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_token(user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the record and the token itself, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the token"})
    if len(name) > 100:
        raise ValidationError({"name": "Name must be 100 characters or fewer"})
    token = TOKEN_START + secrets.token_urlsafe(32)
    api_token = ApiToken(user=user, name=name, key_hash=hash_of(token), prefix=token[: len(TOKEN_START) + 4])
    api_token.stamp(user)
    api_token.save()
    record(user, Action.CREATE, api_token, summary=f"Created API token {name!r}")
    return api_token, token


def revoke_token(user, token_id) -> ApiToken:
    """Revoke one of the user's own tokens; ApiToken.DoesNotExist for anyone else's."""
    return _revoke(user, ApiToken.objects.filter(user=user), token_id)


def revoke_as_administrator(admin, token_id) -> ApiToken:
    """An administrator revokes anyone's token (someone left, or a token was seen by others)."""
    return _revoke(admin, ApiToken.objects.all(), token_id)


@transaction.atomic
def _revoke(by, tokens, token_id) -> ApiToken:
    api_token = tokens.select_for_update().select_related("user").get(pk=token_id)
    if api_token.revoked_at is None:
        api_token.revoked_at = timezone.now()
        api_token.stamp(by)
        api_token.save()
        whose = "" if api_token.user_id == by.pk else f" of {api_token.user.username}"
        record(by, Action.UPDATE, api_token, summary=f"Revoked API token {api_token.name!r}{whose}")
    return api_token


def user_for_token(token: str):
    """The active user a live token belongs to, or None."""
    if not token or not token.startswith(TOKEN_START):
        return None
    api_token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(key_hash=hash_of(token), revoked_at__isnull=True)
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_EVERY:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user


def tokens_of(user):
    return ApiToken.objects.filter(user=user)
