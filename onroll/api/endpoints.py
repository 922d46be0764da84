"""/api/v1/: is this child already known, create (only after a decision), and read a child's record.
Thin callers of the same services as the web."""

from functools import wraps
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Router, Status

from onroll.accounts.permissions import Perm
from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.children.queries import child_for_page

from . import errors, services
from .auth import TokenAuth
from .present import candidates_out, child_out
from .schemas import ChildDetailsIn, ChildOut, ConflictOut, CreateChildIn, DecisionOut, ErrorOut, SearchOut

DESCRIPTION = """Onroll's register of children, over the same services and permissions as the web pages.
Every request carries a personal API token (made on your "API tokens" page) and acts as you: you see the
children you may see in Onroll, and a child out of your scope answers 404. Every error has a JSON body
`{"detail": ..., "errors": {field: [messages]}}`."""

api = NinjaAPI(
    title="Onroll API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    auth=TokenAuth(),
    docs_decorator=login_required,
)
errors.install(api)

children = Router(tags=["children"])
FAILED = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


@children.post("/search", response={200: SearchOut, **FAILED}, summary="Is this child already known?")
def search_children(request, payload: ChildDetailsIn):
    """Children you may see who may be this child, best first, each with the reasons in words. A
    surname with a date of birth or first name, or a UPN, is needed. `suggested` means very likely the
    same child; `possible_sibling` means a brother, sister or twin rather than the same child. When
    the matching model cannot be used, `notice` says so and only exact matches are returned."""
    found = services.search_for(request.user, payload, today=timezone.localdate())
    return SearchOut(
        candidates=candidates_out(request, found), notice=found.notice, model_version=found.model_version
    )


@children.post(
    "",
    response={200: DecisionOut, 201: DecisionOut, 404: ErrorOut, 409: ConflictOut, **FAILED},
    summary="Link to a known child or create a new one",
)
def create_child(request, response: HttpResponse, payload: CreateChildIn):
    """Onroll searches first. Send `link_to` (a candidate's child_id: no child is created, and the child
    gains the address and parents sent that its record lacked, 200) or
    `confirm_new: true` (the child is created with its address, parents and former names, 201). Without
    either, candidates answer 409 with the list so that a person can decide. The decision is recorded.
    Send an `Idempotency-Key` header (any unique string up to 100 characters) to make a retry safe: the
    same key again gets the first answer back (with `Idempotent-Replayed: true`), not a second child."""
    details = ChildDetailsIn(**payload.model_dump(exclude={"link_to", "confirm_new"}))
    outcome = services.create_or_link(
        request.user,
        details,
        link_to=payload.link_to,
        confirm_new=payload.confirm_new,
        today=timezone.localdate(),
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
    body = DecisionOut(
        decision=outcome.decision.decision,
        decision_id=outcome.decision.pk,
        child=child_out(request, outcome.child),
    )
    return Status(201 if outcome.created else 200, body)


@children.get(
    "/{child_id}", response={200: ChildOut, 404: ErrorOut, **FAILED}, url_name="get_child", summary="A child"
)
def get_child(request, child_id: UUID):
    """The child's record: names, date of birth, UPNs, addresses you may see, contacts and roll history.
    The view is recorded in the child's audit log."""
    services.require(request.user, Perm.VIEW_CHILD)
    child = child_for_page(request.user, child_id)
    record(request.user, Action.VIEW, child, child_id=child.pk, summary="Viewed child through the API")
    return child_out(request, child)


api.add_router("/children", children)


def api_urls():
    """The API's URL patterns for onroll/urls.py. Django Ninja answers a wrong method with a plain-text
    405 and its root address with an HTML page; here both are JSON like every other error."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name == "api-root":  # kept: the OpenAPI schema finds the API's prefix by this name
            pattern.callback = _root
        else:
            pattern.callback = _json_method_not_allowed(pattern.callback)
    return patterns, app_name, namespace


def _root(request):
    return errors.problem(
        f"Not found: the API's endpoints are listed at {reverse('api_v1:openapi-view')}", 404
    )


def _json_method_not_allowed(view):
    @wraps(view)  # keeps csrf_exempt: the API authenticates with tokens, not cookies
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith("text/"):
            allowed = response.get("Allow", "")
            response = errors.problem(f"Method not allowed here: use {allowed}", 405)
            response["Allow"] = allowed
        return response

    return wrapped
