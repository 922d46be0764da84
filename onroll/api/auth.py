"""Bearer-token authentication: a request acts as the token's user, with that user's permissions."""

from ninja.security import HttpBearer

from .tokens import user_for_token


class TokenAuth(HttpBearer):
    openapi_description = "An API token made on the 'API tokens' page: Authorization: Bearer onroll_..."

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            # Everything below reads request.user, as the web views do; a session cookie does not count.
            request.user = user
        return user
