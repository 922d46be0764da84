"""One JSON error body for every error the API gives: {"detail": "...", "errors": {field: [messages]}}."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from ninja import errors as ninja_errors

from onroll.children.models import Child

from .present import candidates_out
from .services import NeedsDecision, NotAllowed, field_errors

log = logging.getLogger(__name__)

# Friendlier words than pydantic's for the mistakes clients make most.
MESSAGES = {
    "missing": "This field is required",
    "extra_forbidden": "Onroll does not know this field",
    "uuid_parsing": "Enter a child id as a UUID",
    "bool_parsing": "Enter true or false",
    "bool_type": "Enter true or false",
    "literal_error": None,  # pydantic's message lists the allowed values, which is what the client needs
}


def _where(loc) -> str:
    """('body', 'payload', 'address', 'postcode') -> 'address.postcode'."""
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:] or ["request"]
    elif parts[:1] in (["path"], ["query"]):
        parts = parts[1:]
    return ".".join(parts) or "request"


def _message(error: dict) -> str:
    kind = error.get("type", "")
    if kind.startswith("date"):
        return "Enter a real date in the form YYYY-MM-DD"
    if kind == "value_error":  # our own validators' messages, without pydantic's "Value error, "
        return str(error.get("ctx", {}).get("error", "")) or error.get("msg", "Not valid")
    if kind == "string_too_long":
        return f"Must be {error.get('ctx', {}).get('max_length')} characters or fewer"
    return MESSAGES.get(kind) or error.get("msg", "Not valid")


def problem(detail: str, status: int, errors: dict | None = None, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": errors or {}, **extra}, status=status)


def install(api):
    @api.exception_handler(ninja_errors.ValidationError)
    def invalid_request(request, exc):
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_where(error.get("loc", ())), []).append(_message(error))
        return problem("There is a problem with the request", 422, errors)

    @api.exception_handler(DjangoValidationError)
    def invalid_details(request, exc):
        return problem("There is a problem with the request", 422, field_errors(exc))

    @api.exception_handler(ninja_errors.AuthenticationError)
    def unauthenticated(request, exc):
        response = problem("Send a valid API token in the header: Authorization: Bearer <token>", 401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(NotAllowed)
    def not_allowed(request, exc):
        return problem("Your role does not allow this", 403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        # The same answer for a child that does not exist and one out of the user's scope.
        return problem("Not found", 404)

    @api.exception_handler(Child.DoesNotExist)
    def no_such_child(request, exc):
        return problem("Not found", 404)

    @api.exception_handler(ninja_errors.HttpError)
    def http_error(request, exc):
        return problem(str(exc), exc.status_code)

    @api.exception_handler(NeedsDecision)
    def needs_decision(request, exc):
        return problem(
            "This child may already be known: send link_to with one candidate's child_id, "
            "or confirm_new: true if none of them is this child",
            409,
            candidates=[c.model_dump(mode="json") for c in candidates_out(request, exc.found)],
            notice=exc.found.notice,
        )

    @api.exception_handler(Exception)
    def server_error(request, exc):
        log.exception("API request failed: %s %s", request.method, request.path)
        return problem("Something went wrong in Onroll", 500)
